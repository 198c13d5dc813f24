using System.Text.RegularExpressions;

namespace Atelier.Checkpoints;

/// <summary>
/// Names the reference architecture a state dict belongs to, from its keys and shapes alone (and, for Atelier's
/// own safetensors files, from their metadata). Each recogniser is a small function; add one to
/// <see cref="Recognizers"/> to teach `atelier checkpoint inspect` a new layout.
/// </summary>
public static partial class ArchitectureRecognizer
{
    public const string Unknown = "unknown";

    /// <summary>Recognisers tried in order on a flat state dict (key -> shape); each returns a description or null.</summary>
    public static List<Func<IReadOnlyDictionary<string, long[]>, string?>> Recognizers { get; } =
    [
        StyleGan2Generator,
        StyleGan2Discriminator,
        FastStyleTransformer,
        AdainDecoder,
        NormalisedVgg19,
        TorchvisionVgg,
        JunyanzResnetGenerator,
        JunyanzUnet,
        JunyanzPatchGan,
        JunyanzPixelGan,
    ];

    /// <summary>Sub-dicts worth looking into when the whole file is not recognised, most telling first.</summary>
    static readonly string[] PreferredPrefixes = ["g_ema", "state_dict", "model", "net", "g", "netG", "generator", "params"];

    /// <summary>The description of <paramref name="checkpoint"/>'s architecture, or "unknown".</summary>
    public static string Recognize(CheckpointFile checkpoint) =>
        Recognize(checkpoint.StateDict.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal), checkpoint.Metadata);

    public static string Recognize(IReadOnlyDictionary<string, long[]> shapes, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (metadata != null && ModelMetadata.Architecture(metadata) is { } arch)
            return $"Atelier model {arch}";
        if (RecognizeFlat(shapes) is { } whole) return whole;
        var topLevel = shapes.Keys.Select(k => k.Split('.')[0]).Distinct().ToList();
        foreach (var prefix in PreferredPrefixes.Where(topLevel.Contains).Concat(topLevel.Except(PreferredPrefixes)))
        {
            var sub = Sub(shapes, prefix + ".");
            if (sub.Count > 0 && RecognizeFlat(sub) is { } found) return $"{found} in '{prefix}'";
        }
        return Unknown;
    }

    static string? RecognizeFlat(IReadOnlyDictionary<string, long[]> shapes)
    {
        if (shapes.Count == 0) return null;
        if (shapes.Keys.All(k => k.StartsWith("module.", StringComparison.Ordinal))) shapes = Sub(shapes, "module.");
        foreach (var r in Recognizers)
            if (r(shapes) is { } d) return d;
        return null;
    }

    static Dictionary<string, long[]> Sub(IReadOnlyDictionary<string, long[]> shapes, string prefix) =>
        shapes.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
              .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    static long[]? Shape(IReadOnlyDictionary<string, long[]> s, string key) => s.TryGetValue(key, out var v) ? v : null;

    static int CountMatching(IReadOnlyDictionary<string, long[]> s, Regex re) =>
        s.Keys.Select(k => re.Match(k)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count();

    // rosinality/stylegan2-pytorch Generator: style.1..n_mlp (EqualLinear), input.input, conv1, to_rgb1, convs, to_rgbs.
    static string? StyleGan2Generator(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "style.1.weight") is not { Length: 2 } style || !s.ContainsKey("input.input") || !s.ContainsKey("conv1.conv.weight"))
            return null;
        int nMlp = CountMatching(s, StyleLayer());
        int toRgbs = CountMatching(s, ToRgbLayer());
        long size = 1L << (toRgbs + 2);
        return $"rosinality StyleGAN2 generator (size {size}, style_dim {style[1]}, n_mlp {nMlp})";
    }

    // rosinality/stylegan2-pytorch Discriminator: convs.0.0 (ConvLayer), ResBlocks, final_conv, final_linear.
    static string? StyleGan2Discriminator(IReadOnlyDictionary<string, long[]> s) =>
        s.ContainsKey("convs.0.0.weight") && s.ContainsKey("final_linear.0.weight") && s.ContainsKey("final_conv.0.weight")
            ? "rosinality StyleGAN2 discriminator" : null;

    // pytorch/examples fast_neural_style TransformerNet.
    static string? FastStyleTransformer(IReadOnlyDictionary<string, long[]> s)
    {
        if (!s.ContainsKey("conv1.conv2d.weight") || !s.ContainsKey("res1.conv1.conv2d.weight") || !s.ContainsKey("deconv1.conv2d.weight"))
            return null;
        bool stale = s.Keys.Any(k => k.EndsWith(".running_mean", StringComparison.Ordinal));
        return "pytorch/examples fast_neural_style TransformerNet" + (stale ? " (with stale InstanceNorm running stats)" : "");
    }

    // naoto0804/pytorch-AdaIN decoder: Sequential with convs at 1, 5, 8, 11, 14, 18, 21, 25, 28 (512 -> ... -> 3).
    static string? AdainDecoder(IReadOnlyDictionary<string, long[]> s) =>
        Shape(s, "1.weight") is [256, 512, 3, 3] && Shape(s, "28.weight") is [3, 64, 3, 3] && !s.ContainsKey("0.weight")
            ? "naoto0804 AdaIN decoder" : null;

    // The normalised VGG-19 of AdaIN/WCT: a 1x1 conv 3->3 at index 0, then VGG-19's convs (with reflection pads).
    static readonly (int Index, string Relu)[] VggNormalisedConvs =
    [
        (2, "relu1_1"), (5, "relu1_2"), (9, "relu2_1"), (12, "relu2_2"), (16, "relu3_1"), (19, "relu3_2"), (22, "relu3_3"),
        (25, "relu3_4"), (29, "relu4_1"), (32, "relu4_2"), (35, "relu4_3"), (38, "relu4_4"), (42, "relu5_1"), (45, "relu5_2"),
        (48, "relu5_3"), (51, "relu5_4"),
    ];

    static string? NormalisedVgg19(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "0.weight") is not [3, 3, 1, 1] || Shape(s, "2.weight") is not [64, 3, 3, 3]) return null;
        var last = VggNormalisedConvs.LastOrDefault(c => s.ContainsKey($"{c.Index}.weight"));
        return $"normalised VGG-19 (through {last.Relu})";
    }

    // torchvision VGG: features.N convs (13 for VGG-16, 16 for VGG-19), optional classifier.
    static string? TorchvisionVgg(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "features.0.weight") is not [64, 3, 3, 3]) return null;
        int convs = s.Count(kv => kv.Key.StartsWith("features.", StringComparison.Ordinal) && kv.Key.EndsWith(".weight", StringComparison.Ordinal) && kv.Value.Length == 4);
        bool bn = s.Keys.Any(k => k.StartsWith("features.", StringComparison.Ordinal) && k.EndsWith("running_mean", StringComparison.Ordinal));
        var name = convs switch { 8 => "VGG-11", 10 => "VGG-13", 13 => "VGG-16", 16 => "VGG-19", _ => $"VGG ({convs} convs)" };
        return $"torchvision {name}{(bn ? "_bn" : "")}{(s.ContainsKey("classifier.0.weight") ? "" : " (features only)")}";
    }

    static string NormName(IReadOnlyDictionary<string, long[]> s) =>
        s.Keys.Any(k => k.EndsWith("running_mean", StringComparison.Ordinal)) ? "batch norm" : "instance norm";

    // junyanz ResnetGenerator: model.1 = 7x7 conv 3->ngf, model.N.conv_block.{1,5} residual blocks.
    static string? JunyanzResnetGenerator(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "model.1.weight") is not [var ngf, _, 7, 7]) return null;
        int blocks = CountMatching(s, ResnetBlock());
        if (blocks == 0) return null;
        return $"junyanz ResNet generator ({blocks} blocks, ngf {ngf}, {NormName(s)})";
    }

    // junyanz UnetGenerator: nested UnetSkipConnectionBlocks, model.model.0 outermost down-conv,
    // model.model.1(.model.3)*.model.1 the inner down-convs.
    static string? JunyanzUnet(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "model.model.0.weight") is not [var ngf, _, 4, 4]) return null;
        int downs = 1 + s.Keys.Count(k => UnetDownConv().IsMatch(k));
        var name = downs switch { 7 => "U-Net 128", 8 => "U-Net 256", _ => $"U-Net ({downs} downsamplings)" };
        return $"junyanz {name} (ngf {ngf}, {NormName(s)})";
    }

    // junyanz NLayerDiscriminator: model.0 = 4x4 conv, then n_layers strided convs, a stride-1 conv and the 1-channel output.
    static string? JunyanzPatchGan(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "model.0.weight") is not [var ndf, _, 4, 4]) return null;
        int convs = s.Count(kv => ModelConv().IsMatch(kv.Key) && kv.Value.Length == 4);
        return $"junyanz PatchGAN (n_layers {convs - 2}, ndf {ndf})";
    }

    // junyanz PixelDiscriminator: net.0, net.2, net.5 1x1 convs.
    static string? JunyanzPixelGan(IReadOnlyDictionary<string, long[]> s) =>
        Shape(s, "net.0.weight") is [var ndf, _, 1, 1] && Shape(s, "net.5.weight") is [1, _, 1, 1]
            ? $"junyanz PixelGAN (ndf {ndf})" : null;

    [GeneratedRegex(@"^style\.(\d+)\.weight$")] private static partial Regex StyleLayer();
    [GeneratedRegex(@"^to_rgbs\.(\d+)\.conv\.weight$")] private static partial Regex ToRgbLayer();
    [GeneratedRegex(@"^model\.(\d+)\.conv_block\.1\.weight$")] private static partial Regex ResnetBlock();
    [GeneratedRegex(@"^model\.model\.1(\.model\.3)*\.model\.1\.weight$")] private static partial Regex UnetDownConv();
    [GeneratedRegex(@"^model\.(\d+)\.weight$")] private static partial Regex ModelConv();
}
