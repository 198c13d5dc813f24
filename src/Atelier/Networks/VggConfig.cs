namespace Atelier.Networks;

/// <summary>How a VGG's convolutions are arranged: the number of 3x3 convolutions in each of the five blocks.</summary>
public sealed class VggConfig
{
    /// <summary>VGG-19 (Simonyan and Zisserman 2014, configuration E): 2, 2, 4, 4, 4 convolutions.</summary>
    public static VggConfig Vgg19 { get; } = new("vgg19", [2, 2, 4, 4, 4], [64, 128, 256, 512, 512]);

    /// <summary>VGG-16 (configuration D): 2, 2, 3, 3, 3 convolutions.</summary>
    public static VggConfig Vgg16 { get; } = new("vgg16", [2, 2, 3, 3, 3], [64, 128, 256, 512, 512]);

    public string Name { get; }
    public IReadOnlyList<int> ConvsPerBlock { get; }

    /// <summary>Output channels of each block (64, 128, 256, 512, 512 for the real networks).</summary>
    public IReadOnlyList<int> BlockChannels { get; }

    VggConfig(string name, int[] convsPerBlock, int[] blockChannels)
    {
        Name = name; ConvsPerBlock = convsPerBlock; BlockChannels = blockChannels;
    }

    /// <summary>
    /// The same arrangement with every block's channels divided by <paramref name="divisor"/> (at least 1 channel):
    /// tiny networks for tests and experiments. No published weights fit these.
    /// </summary>
    public VggConfig Narrow(int divisor)
    {
        if (divisor < 1) throw new ArgumentOutOfRangeException(nameof(divisor), "divisor must be 1 or more");
        if (divisor == 1) return this;
        return new VggConfig($"{Name}/{divisor}", [.. ConvsPerBlock], [.. BlockChannels.Select(c => Math.Max(1, c / divisor))]);
    }

    /// <summary>True for the full-width network published weights fit.</summary>
    public bool IsFullWidth => BlockChannels[0] == 64;

    /// <summary>Number of 3x3 convolutions (16 for VGG-19, 13 for VGG-16).</summary>
    public int ConvCount => ConvsPerBlock.Sum();

    /// <summary>The config with <paramref name="convCount"/> convolutions, or null.</summary>
    internal static VggConfig? ByConvCount(int convCount) =>
        convCount == Vgg19.ConvCount ? Vgg19 : convCount == Vgg16.ConvCount ? Vgg16 : null;

    public override string ToString() => Name;
}

/// <summary>Which pooling a VGG uses between blocks. Gatys et al. found average pooling gives smoother results.</summary>
public enum VggPooling { Max, Average }

/// <summary>The two weight layouts people have, named after where they come from.</summary>
public enum VggLayout
{
    /// <summary>torchvision's vgg19/vgg16: keys features.N.weight, ImageNet mean/std normalisation applied inside, input RGB in [0,1].</summary>
    TorchVision,

    /// <summary>
    /// The 'normalised VGG' of AdaIN and WCT: keys N.weight, a leading 1x1 convolution that folds the preprocessing,
    /// ReflectionPad2d(1) before every 3x3 convolution, MaxPool2d(2, 2, ceil_mode=True), no pool5; input RGB in [0,1].
    /// </summary>
    Normalised,
}
