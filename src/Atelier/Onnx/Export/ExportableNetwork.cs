using Atelier.Checkpoints;
using Atelier.Networks;
using Atelier.Style;
using Atelier.Translation;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Onnx.Export;

/// <summary>
/// A network ready to export: how to write it into a graph, how Atelier itself computes it (the reference the export
/// is verified against), its inputs, and two sizes to verify at. Owns the modules it was given.
/// </summary>
public sealed class ExportableNetwork : IDisposable
{
    readonly Func<OnnxGraphBuilder, IReadOnlyList<string>, string> _emit;
    readonly Func<IReadOnlyList<Tensor>, Tensor> _reference;
    readonly IDisposable[] _owned;

    /// <summary>A stable id: fast-style, resnet-generator, unet-generator, adain.</summary>
    public string Kind { get; }

    /// <summary>A human description (e.g. "resnet_9blocks generator (instance norm)").</summary>
    public string Description { get; }

    /// <summary>The model's inputs, in order; when there are images, the first one's size is what <see cref="VerifySizes"/> gives.</summary>
    public IReadOnlyList<ExportInput> Inputs { get; }

    public long OutputChannels { get; }

    /// <summary>The output's dims when it is not an image (-1 the batch: w is N×512); null for an N×C×H×W image.</summary>
    public long[]? OutputDims { get; init; }

    /// <summary>
    /// The (height, width) sizes of the first image input the export is verified at: two, so the dynamic height and width
    /// are exercised (0×0 for networks without image inputs). Further image inputs are verified at the transposed size.
    /// </summary>
    public IReadOnlyList<(int Height, int Width)> VerifySizes { get; }

    /// <summary>The batch sizes used with <see cref="VerifySizes"/>, one each (1 and 1 unless the network says otherwise).</summary>
    public IReadOnlyList<int> VerifyBatches { get; init; } = [1, 1];

    public ExportableNetwork(string kind, string description, IReadOnlyList<ExportInput> inputs, long outputChannels,
        IReadOnlyList<(int, int)> verifySizes, Func<OnnxGraphBuilder, IReadOnlyList<string>, string> emit,
        Func<IReadOnlyList<Tensor>, Tensor> reference, params IDisposable[] owned)
    {
        if (inputs.Count == 0) throw new ArgumentException("a network has inputs", nameof(inputs));
        Kind = kind;
        Description = description;
        Inputs = inputs;
        OutputChannels = outputChannels;
        VerifySizes = verifySizes;
        _emit = emit;
        _reference = reference;
        _owned = owned;
    }

    /// <summary>An image-to-image module (put in eval mode) with one input named "input".</summary>
    public ExportableNetwork(nn.Module<Tensor, Tensor> module, string kind, string description, long inputChannels, long outputChannels,
        (float Low, float High) inputRange, IReadOnlyList<(int, int)> verifySizes)
        : this(kind, description, [new ExportInput("input", inputChannels, inputRange.Low, inputRange.High)], outputChannels, verifySizes,
            (g, x) => new ModuleExporter(g).Emit(module, x[0], ""), x => module.forward(x[0]), module)
    {
        module.eval();
    }

    /// <summary>Writes the network into <paramref name="graph"/> given its input values; returns the output value.</summary>
    public string Emit(OnnxGraphBuilder graph, IReadOnlyList<string> inputs) => _emit(graph, inputs);

    /// <summary>Atelier's own output for <paramref name="inputs"/> (in <see cref="Inputs"/>' order).</summary>
    public Tensor Reference(IReadOnlyList<Tensor> inputs)
    {
        using var _ = no_grad();
        return _reference(inputs);
    }

    /// <summary>A fast-style TransformerNet: RGB 0..255 in and out, any size (verified at 64×64 and 48×80).</summary>
    public static ExportableNetwork FastStyle(TransformerNet net) =>
        new(net, "fast-style", "fast-style TransformerNet", 3, 3, (0f, 255f), [(64, 64), (48, 80)]) { VerifyBatches = [1, 2] };

    /// <summary>A pix2pix/CycleGAN generator: [-1, 1] in and out, sides multiples of 4 (ResNet) or 2^downs (U-Net).</summary>
    public static ExportableNetwork Translation(GeneratorSpec spec, nn.Module<Tensor, Tensor> generator)
    {
        bool unet = spec.Family == GeneratorFamily.Unet;
        int m = spec.Multiple;
        // ResNet generators at 64 and 48×80; a U-Net at its smallest side and at one by two of it (256 for unet_256).
        (int, int)[] sizes = unet ? [(m, m), (m, 2 * m)] : [(64, 64), (48, 80)];
        return new(generator, unet ? "unet-generator" : "resnet-generator", $"{spec.Name} generator ({Norms.Name(spec.Norm)} norm)",
            spec.InputNc, spec.OutputNc, (-1f, 1f), sizes) { VerifyBatches = [1, 2] };
    }

    /// <summary>AdaIN with the normalised VGG-19 (to relu4_1) and its decoder: content, style and alpha in (see <see cref="AdaInExport"/>).</summary>
    public static ExportableNetwork AdaIn(Vgg encoder, AdaInDecoder decoder) => AdaInExport.Network(encoder, decoder);

    /// <summary>
    /// The network in a checkpoint file (what <see cref="ArchitectureRecognizer"/> says it is): a fast-style network, a
    /// pix2pix/CycleGAN generator (a bare one or a run's; <paramref name="direction"/> picks a CycleGAN run's G_B), or an
    /// AdaIN decoder with the normalised VGG-19 in <paramref name="vggPath"/> (the built-in seeded one when null), or a
    /// StyleGAN2 generator's synthesis or mapping network (<paramref name="part"/>). Anything else is refused naming the
    /// file and what it holds.
    /// </summary>
    public static ExportableNetwork Load(string path, Direction? direction = null, string? vggPath = null, StyleGanPart part = StyleGanPart.Synthesis)
    {
        var found = Checkpoint.ReadHeaders(path).Identify(); // the loader below reads the tensors once
        if (found.Kind is ArchitectureKind.FastStyle or ArchitectureKind.FastStyleRun)
            return FastStyle(Atelier.Style.FastStyle.LoadModel(path));
        if (found.IsTranslationGenerator)
        {
            // Exported in eval mode: dropout off (the export has no random ops), batch norm from its running statistics.
            var (spec, g) = TranslationCheckpoint.LoadGenerator(path, direction: direction);
            return Translation(spec, g);
        }
        if (found.Kind is ArchitectureKind.AdaInDecoder or ArchitectureKind.AdaInDecoderRun)
        {
            var stylizer = vggPath is null
                ? AdaInStylizer.LoadBuiltIn([path], () => Vgg.BuiltInNormalised("relu4_1"))
                : AdaInStylizer.Load(vggPath, [path]);
            if (stylizer.Encoder is not Vgg vgg || stylizer.Decoders[0].EncoderLayer != "relu4_1")
            {
                var message = $"{path}: an AdaIN decoder for {stylizer.Decoders[0].Encoder ?? "VGG"} {stylizer.Decoders[0].EncoderLayer}; Atelier exports AdaIN with the normalised VGG-19 at relu4_1";
                stylizer.Dispose();
                throw new AtelierException(message);
            }
            return AdaInExport.Network(vgg, stylizer.Decoders[0], stylizer);
        }
        if (found.IsStyleGanGenerator)
            return StyleGanExport.Network(Atelier.StyleGan.GeneratorLoader.Load(path), part);
        throw new AtelierException($"{path}: holds {found.Description}; Atelier exports fast-style networks, pix2pix/CycleGAN generators, AdaIN decoders and StyleGAN2 generators to ONNX");
    }

    public void Dispose()
    {
        foreach (var o in _owned) o.Dispose();
    }
}
