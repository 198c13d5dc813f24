namespace Atelier.Networks;

/// <summary>
/// The one choice of perceptual network, spelled the same in every front end: the built-in ImageNet ResNet-18
/// (<see cref="ResNet18"/>, the default), the seeded random-weight VGG-19 (<see cref="RandomVgg19"/>, kept for the
/// record and for tests), or a file: a VGG-19/16 checkpoint (torchvision or normalised layout) or a ResNet in ONNX.
/// </summary>
public static class FeatureNetworks
{
    public const string ResNet18 = "resnet18";
    public const string RandomVgg19 = "vgg19-random";

    /// <summary>The choice used when none is made.</summary>
    public const string Default = ResNet18;

    public static IReadOnlyList<string> BuiltInNames { get; } = [ResNet18, RandomVgg19];

    /// <summary>One line for help texts.</summary>
    public const string Help = "resnet18 (built in, ImageNet-trained; the default), vgg19-random (built in, seeded random weights), a catalogue model fetched on first use (vgg19, vgg16: torchvision's; adain-vgg: AdaIN's normalised VGG-19), or a file: a VGG-19/16 checkpoint or a ResNet .onnx";

    /// <summary>True when <paramref name="choice"/> names a built-in network rather than a file.</summary>
    public static bool IsBuiltIn(string? choice) => string.IsNullOrEmpty(choice) || BuiltInNames.Contains(choice);

    /// <summary>
    /// Loads the chosen network on the CPU. <paramref name="pooling"/> applies to VGGs (ResNets keep their own).
    /// An unknown name that is not a file, or a file of neither kind, is refused with one line naming it.
    /// </summary>
    public static FeatureNetwork Load(string? choice, VggPooling pooling = VggPooling.Max)
    {
        choice = string.IsNullOrEmpty(choice) ? Default : choice;
        if (choice == ResNet18) return ResNetFeatures.BuiltIn();
        if (choice == RandomVgg19) return Vgg.BuiltIn(pooling);
        choice = Models.ModelResolver.Resolve(choice, Models.ModelUse.Features); // a catalogue name (vgg19) is fetched on first use
        if (!File.Exists(choice))
            throw new AtelierException($"{choice}: no such file, not a built-in network ({string.Join(", ", BuiltInNames)}) and not in the model catalogue (vgg19, vgg16, adain-vgg)");
        return choice.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
            ? ResNetFeatures.Load(choice)
            : Vgg.Load(choice, pooling);
    }

    /// <summary>True when <paramref name="layer"/> is spelled like a layer of any network family Atelier has.</summary>
    public static bool IsAnyLayerName(string layer) => Vgg.IsLayerName(layer) || ResNetFeatures.IsLayerName(layer);
}
