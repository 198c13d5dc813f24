using Atelier.Checkpoints;
using Atelier.Style;
using Atelier.Translation;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Onnx.Export;

/// <summary>
/// A network ready to export: the module (in eval mode), what it is, and what its input looks like (channels, value
/// range, the multiple its sides must be, two sizes to verify at). Owns the module.
/// </summary>
public sealed class ExportableNetwork : IDisposable
{
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>A stable id: fast-style, resnet-generator, unet-generator.</summary>
    public string Kind { get; }

    /// <summary>A human description (e.g. "resnet_9blocks generator").</summary>
    public string Description { get; }

    public long InputChannels { get; }
    public long OutputChannels { get; }

    /// <summary>The range the seeded verification input is drawn from (0..255 for fast style, -1..1 for generators).</summary>
    public (float Low, float High) InputRange { get; }

    /// <summary>The (height, width) sizes the export is verified at: two, so the dynamic height and width are exercised.</summary>
    public IReadOnlyList<(int Height, int Width)> VerifySizes { get; }

    public ExportableNetwork(nn.Module<Tensor, Tensor> module, string kind, string description, long inputChannels, long outputChannels,
        (float, float) inputRange, IReadOnlyList<(int, int)> verifySizes)
    {
        Module = module;
        Kind = kind;
        Description = description;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        InputRange = inputRange;
        VerifySizes = verifySizes;
        module.eval();
    }

    /// <summary>A fast-style TransformerNet: RGB 0..255 in and out, any size (verified at 64×64 and 48×80).</summary>
    public static ExportableNetwork FastStyle(TransformerNet net) =>
        new(net, "fast-style", "fast-style TransformerNet", 3, 3, (0f, 255f), [(64, 64), (48, 80)]);

    /// <summary>A pix2pix/CycleGAN generator: [-1, 1] in and out, sides multiples of 4 (ResNet) or 2^downs (U-Net).</summary>
    public static ExportableNetwork Translation(GeneratorSpec spec, nn.Module<Tensor, Tensor> generator)
    {
        bool unet = spec.Family == GeneratorFamily.Unet;
        int m = spec.Multiple;
        // ResNet generators at 64 and 48×80; a U-Net at its smallest side and at one and two of it (2^downs: 256 for unet_256).
        (int, int)[] sizes = unet ? [(m, m), (m, 2 * m)] : [(64, 64), (48, 80)];
        return new(generator, unet ? "unet-generator" : "resnet-generator", $"{spec.Name} generator ({Norms.Name(spec.Norm)} norm)",
            spec.InputNc, spec.OutputNc, (-1f, 1f), sizes);
    }

    /// <summary>
    /// The network in a checkpoint file (what <see cref="ArchitectureRecognizer"/> says it is): a fast-style network
    /// or a pix2pix/CycleGAN generator (a bare one or a run's; <paramref name="direction"/> picks a CycleGAN run's G_B).
    /// Anything else is refused naming the file and what it holds.
    /// </summary>
    public static ExportableNetwork Load(string path, Direction? direction = null)
    {
        RecognizedArchitecture found;
        using (var ckpt = Checkpoint.Load(path)) found = ArchitectureRecognizer.Identify(ckpt);
        if (found.Kind is ArchitectureKind.FastStyle or ArchitectureKind.FastStyleRun)
            return FastStyle(Atelier.Style.FastStyle.LoadModel(path));
        if (found.IsTranslationGenerator)
        {
            // Eval mode as exported: U-Net dropout off (the export has no random ops), batch norm from running statistics.
            var (spec, g) = TranslationCheckpoint.LoadGenerator(path, direction: direction, unetDropout: true);
            return Translation(spec, g);
        }
        throw new AtelierException($"{path}: holds {found.Description}; Atelier exports fast-style networks and pix2pix/CycleGAN generators to ONNX");
    }

    public void Dispose() => Module.Dispose();
}
