using System.Text.RegularExpressions;

namespace Atelier.Checkpoints;

/// <summary>
/// Names the reference architecture a state dict belongs to, from its keys and shapes alone (and, for Atelier's
/// own safetensors files, from their metadata). Each recogniser is a small function; add one to
/// <see cref="Recognizers"/> to teach `atelier checkpoint inspect` (and the studio) a new layout. <see cref="Identify(CheckpointFile)"/>
/// gives the structured result (<see cref="RecognizedArchitecture"/>), <see cref="Recognize(CheckpointFile)"/> its description.
/// </summary>
public static partial class ArchitectureRecognizer
{
    public const string Unknown = "unknown";

    /// <summary>Recognisers tried in order on a flat state dict (key -> shape); each returns what it found or null.</summary>
    public static List<Func<IReadOnlyDictionary<string, long[]>, RecognizedArchitecture?>> Recognizers { get; } =
    [
        StyleGan2Generator,
        StyleGan2Discriminator,
        NvlabsStyleGan2Generator,
        FastStyleTransformer,
        AdaInDecoder,
        MirrorAdaInDecoder,
        NormalisedVgg19,
        TorchvisionVgg,
        JunyanzResnetGenerator,
        JunyanzUnet,
        JunyanzPatchGan,
        JunyanzPixelGan,
    ];

    /// <summary>Sub-dicts worth looking into when the whole file is not recognised, most telling first.</summary>
    static readonly string[] PreferredPrefixes = ["g_ema", "G_ema", "state_dict", "model", "net", "g", "netG", "generator", "params"];

    /// <summary>The description of <paramref name="checkpoint"/>'s architecture, or "unknown".</summary>
    public static string Recognize(CheckpointFile checkpoint) => Identify(checkpoint).Description;

    public static string Recognize(IReadOnlyDictionary<string, long[]> shapes, IReadOnlyDictionary<string, string>? metadata = null) =>
        Identify(shapes, metadata).Description;

    /// <summary>What <paramref name="checkpoint"/> holds: kind, description, parameters.</summary>
    public static RecognizedArchitecture Identify(CheckpointFile checkpoint) =>
        Identify(checkpoint.StateDict.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal), checkpoint.Metadata);

    public static RecognizedArchitecture Identify(IReadOnlyDictionary<string, long[]> shapes, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (metadata != null && ModelMetadata.Architecture(metadata) is { } arch)
            return new(ArchitectureKind.AtelierModel, $"Atelier model {arch}", new Dictionary<string, object> { ["architecture"] = arch });
        if (RecognizeFlat(shapes) is { } whole) return whole;
        var topLevel = shapes.Keys.Select(k => k.Split('.')[0]).Distinct().ToList();
        // Training runs hold several networks: name the run after the one that is used afterwards.
        if (RunCheckpoint(shapes, topLevel, metadata) is { } run) return run;
        foreach (var prefix in PreferredPrefixes.Where(topLevel.Contains).Concat(topLevel.Except(PreferredPrefixes)))
        {
            var sub = Sub(shapes, prefix + ".");
            if (sub.Count > 0 && RecognizeFlat(sub) is { } found)
            {
                var kind = found.Kind;
                // rosinality's and `atelier stylegan train`'s checkpoints: g, d and g_ema side by side.
                if (kind == ArchitectureKind.StyleGan2Generator && topLevel.Contains("d")) kind = ArchitectureKind.StyleGan2Run;
                // NVlabs' training snapshots: G, D and G_ema.
                if (kind == ArchitectureKind.StyleGan2NvlabsGenerator && topLevel.Contains("D")) kind = ArchitectureKind.StyleGan2NvlabsSnapshot;
                return found with { Kind = kind, Description = $"{found.Description} in '{prefix}'", Prefix = prefix };
            }
        }
        return RecognizedArchitecture.Unknown;
    }

    /// <summary>Atelier's (and junyanz's) run checkpoints: G_A/G_B (CycleGAN), G with D (pix2pix), net. (fast style), decoder. (AdaIN).</summary>
    static RecognizedArchitecture? RunCheckpoint(IReadOnlyDictionary<string, long[]> shapes, List<string> topLevel, IReadOnlyDictionary<string, string>? metadata)
    {
        RecognizedArchitecture? Under(string prefix) => topLevel.Contains(prefix) ? RecognizeFlat(Sub(shapes, prefix + ".")) : null;
        // TrainingLoop's runs say atelier.kind; the style trainers' runs before it said kind.
        string? runKind = metadata == null ? null : metadata.GetValueOrDefault("atelier.kind") ?? metadata.GetValueOrDefault("kind");
        if (Under("G_A") is { } ga && Under("G_B") is { } gb && IsTranslationGenerator(ga) && IsTranslationGenerator(gb))
            return new(ArchitectureKind.CycleGanRun, $"CycleGAN run: {ga.Description} in 'G_A' and 'G_B'", ga.Parameters, "G_A");
        if (topLevel.Contains("D") && Under("G") is { } g && IsTranslationGenerator(g))
            return new(ArchitectureKind.Pix2PixRun, $"pix2pix run: {g.Description} in 'G'", g.Parameters, "G");
        if ((runKind == "fast-style" || topLevel.Contains("adam")) && Under("net") is { Kind: ArchitectureKind.FastStyle } net)
            return new(ArchitectureKind.FastStyleRun, $"fast style run: {net.Description} in 'net'", net.Parameters, "net");
        if ((runKind == "adain-decoder" || topLevel.Contains("adam")) && Under("decoder") is { Kind: ArchitectureKind.AdaInDecoder } dec)
            return new(ArchitectureKind.AdaInDecoderRun, $"AdaIN decoder run: {dec.Description} in 'decoder'", dec.Parameters, "decoder");
        return null;
    }

    static bool IsTranslationGenerator(RecognizedArchitecture a) => a.Kind is ArchitectureKind.ResnetGenerator or ArchitectureKind.UnetGenerator;

    static RecognizedArchitecture? RecognizeFlat(IReadOnlyDictionary<string, long[]> shapes)
    {
        if (shapes.Count == 0) return null;
        if (shapes.Keys.All(k => k.StartsWith("module.", StringComparison.Ordinal))) shapes = Sub(shapes, "module.");
        foreach (var r in Recognizers)
            if (r(shapes) is { } d) return d;
        return null;
    }

    static RecognizedArchitecture Found(ArchitectureKind kind, string description, params (string Key, object Value)[] parameters) =>
        new(kind, description, parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));

    static Dictionary<string, long[]> Sub(IReadOnlyDictionary<string, long[]> shapes, string prefix) =>
        shapes.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
              .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    static long[]? Shape(IReadOnlyDictionary<string, long[]> s, string key) => s.TryGetValue(key, out var v) ? v : null;

    static int CountMatching(IReadOnlyDictionary<string, long[]> s, Regex re) =>
        s.Keys.Select(k => re.Match(k)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count();

    // rosinality/stylegan2-pytorch Generator: style.1..n_mlp (EqualLinear), input.input, conv1, to_rgb1, convs, to_rgbs.
    static RecognizedArchitecture? StyleGan2Generator(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "style.1.weight") is not { Length: 2 } style || !s.ContainsKey("input.input") || !s.ContainsKey("conv1.conv.weight"))
            return null;
        int nMlp = CountMatching(s, StyleLayer());
        int toRgbs = CountMatching(s, ToRgbLayer());
        long size = 1L << (toRgbs + 2);
        return Found(ArchitectureKind.StyleGan2Generator, $"rosinality StyleGAN2 generator (size {size}, style_dim {style[1]}, n_mlp {nMlp})",
            ("size", size), ("style_dim", style[1]), ("n_mlp", nMlp));
    }

    // rosinality/stylegan2-pytorch Discriminator: convs.0.0 (ConvLayer), ResBlocks, final_conv, final_linear.
    static RecognizedArchitecture? StyleGan2Discriminator(IReadOnlyDictionary<string, long[]> s) =>
        s.ContainsKey("convs.0.0.weight") && s.ContainsKey("final_linear.0.weight") && s.ContainsKey("final_conv.0.weight")
            ? Found(ArchitectureKind.StyleGan2Discriminator, "rosinality StyleGAN2 discriminator") : null;

    // NVlabs stylegan2-ada-pytorch Generator: mapping.fc0..fcN-1 (with w_avg), synthesis.b4 (const) .. bN.
    static RecognizedArchitecture? NvlabsStyleGan2Generator(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "mapping.fc0.weight") is not [_, var zDim] || Shape(s, "synthesis.b4.const") is not { Length: 3 }) return null;
        int layers = CountMatching(s, NvlabsMappingLayer());
        long wDim = Shape(s, $"mapping.fc{layers - 1}.weight") is [var o, _] ? o : 0;
        long size = 4;
        while (s.ContainsKey($"synthesis.b{size * 2}.conv1.weight")) size *= 2;
        bool conditional = s.ContainsKey("mapping.embed.weight");
        return Found(ArchitectureKind.StyleGan2NvlabsGenerator,
            $"NVlabs StyleGAN2-ADA generator (size {size}, z_dim {zDim}, w_dim {wDim}, {layers} mapping layers{(conditional ? ", class-conditional" : "")})",
            ("size", size), ("z_dim", zDim), ("w_dim", wDim), ("mapping_layers", layers), ("conditional", conditional));
    }

    // pytorch/examples fast_neural_style TransformerNet.
    static RecognizedArchitecture? FastStyleTransformer(IReadOnlyDictionary<string, long[]> s)
    {
        if (!s.ContainsKey("conv1.conv2d.weight") || !s.ContainsKey("res1.conv1.conv2d.weight") || !s.ContainsKey("deconv1.conv2d.weight"))
            return null;
        bool stale = s.Keys.Any(k => k.EndsWith(".running_mean", StringComparison.Ordinal));
        return Found(ArchitectureKind.FastStyle, "pytorch/examples fast_neural_style TransformerNet" + (stale ? " (with stale InstanceNorm running stats)" : ""),
            ("stale_running_stats", stale));
    }

    // naoto0804/pytorch-AdaIN decoder: Sequential with convs at 1, 5, 8, 11, 14, 18, 21, 25, 28 (512 -> ... -> 3).
    static RecognizedArchitecture? AdaInDecoder(IReadOnlyDictionary<string, long[]> s) =>
        Shape(s, "1.weight") is [256, 512, 3, 3] && Shape(s, "28.weight") is [3, 64, 3, 3] && !s.ContainsKey("0.weight")
            ? Found(ArchitectureKind.AdaInDecoder, "naoto0804 AdaIN decoder", ("from", "relu4_1")) : null;

    // Atelier's mirror decoders (AdaInDecoder.Mirror, `adain train` on the ResNet-18 or another encoder): a Sequential
    // of reflection-padded 3x3 convolutions only (so no conv at index 0, the first pad), the last one to RGB. The file's
    // metadata says which encoder and tap; the shapes say enough to tell it from every other layout here.
    static RecognizedArchitecture? MirrorAdaInDecoder(IReadOnlyDictionary<string, long[]> s)
    {
        if (s.Count < 4 || s.ContainsKey("0.weight")) return null;
        var convs = new SortedDictionary<int, long[]>();
        foreach (var (key, shape) in s)
        {
            var m = SequentialParameter().Match(key);
            if (!m.Success) return null;
            if (m.Groups[2].Value == "weight")
            {
                if (shape is not [_, _, 3, 3]) return null;
                convs[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = shape;
            }
        }
        if (convs.Count < 2 || convs.Last().Value[0] != 3) return null;
        long from = convs.First().Value[1];
        return Found(ArchitectureKind.AdaInDecoder, $"Atelier AdaIN decoder ({convs.Count} convolutions from {from} channels)",
            ("from_channels", from), ("convolutions", convs.Count));
    }

    // The normalised VGG-19 of AdaIN/WCT: a 1x1 conv 3->3 at index 0, then VGG-19's convs (with reflection pads).
    static readonly (int Index, string Relu)[] VggNormalisedConvs =
    [
        (2, "relu1_1"), (5, "relu1_2"), (9, "relu2_1"), (12, "relu2_2"), (16, "relu3_1"), (19, "relu3_2"), (22, "relu3_3"),
        (25, "relu3_4"), (29, "relu4_1"), (32, "relu4_2"), (35, "relu4_3"), (38, "relu4_4"), (42, "relu5_1"), (45, "relu5_2"),
        (48, "relu5_3"), (51, "relu5_4"),
    ];

    static RecognizedArchitecture? NormalisedVgg19(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "0.weight") is not [3, 3, 1, 1] || Shape(s, "2.weight") is not [64, 3, 3, 3]) return null;
        var last = VggNormalisedConvs.LastOrDefault(c => s.ContainsKey($"{c.Index}.weight"));
        return Found(ArchitectureKind.VggNormalised, $"normalised VGG-19 (through {last.Relu})", ("through", last.Relu));
    }

    // torchvision VGG: features.N convs (13 for VGG-16, 16 for VGG-19), optional classifier.
    static RecognizedArchitecture? TorchvisionVgg(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "features.0.weight") is not [64, 3, 3, 3]) return null;
        int convs = s.Count(kv => kv.Key.StartsWith("features.", StringComparison.Ordinal) && kv.Key.EndsWith(".weight", StringComparison.Ordinal) && kv.Value.Length == 4);
        bool bn = s.Keys.Any(k => k.StartsWith("features.", StringComparison.Ordinal) && k.EndsWith("running_mean", StringComparison.Ordinal));
        var name = convs switch { 8 => "VGG-11", 10 => "VGG-13", 13 => "VGG-16", 16 => "VGG-19", _ => $"VGG ({convs} convs)" };
        bool classifier = s.ContainsKey("classifier.0.weight");
        return Found(ArchitectureKind.VggTorchvision, $"torchvision {name}{(bn ? "_bn" : "")}{(classifier ? "" : " (features only)")}",
            ("convs", convs), ("batch_norm", bn), ("classifier", classifier));
    }

    static string NormName(IReadOnlyDictionary<string, long[]> s) =>
        s.Keys.Any(k => k.EndsWith("running_mean", StringComparison.Ordinal)) ? "batch norm" : "instance norm";

    // junyanz ResnetGenerator: model.1 = 7x7 conv 3->ngf, model.N.conv_block.{1,5} residual blocks.
    static RecognizedArchitecture? JunyanzResnetGenerator(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "model.1.weight") is not [var ngf, _, 7, 7]) return null;
        int blocks = CountMatching(s, ResnetBlock());
        if (blocks == 0) return null;
        return Found(ArchitectureKind.ResnetGenerator, $"junyanz ResNet generator ({blocks} blocks, ngf {ngf}, {NormName(s)})",
            ("blocks", blocks), ("ngf", ngf), ("norm", NormName(s)));
    }

    // junyanz UnetGenerator: nested UnetSkipConnectionBlocks, model.model.0 outermost down-conv,
    // model.model.1(.model.3)*.model.1 the inner down-convs.
    static RecognizedArchitecture? JunyanzUnet(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "model.model.0.weight") is not [var ngf, _, 4, 4]) return null;
        int downs = 1 + s.Keys.Count(k => UnetDownConv().IsMatch(k));
        var name = downs switch { 7 => "U-Net 128", 8 => "U-Net 256", _ => $"U-Net ({downs} downsamplings)" };
        return Found(ArchitectureKind.UnetGenerator, $"junyanz {name} (ngf {ngf}, {NormName(s)})", ("downsamplings", downs), ("ngf", ngf), ("norm", NormName(s)));
    }

    // junyanz NLayerDiscriminator: model.0 = 4x4 conv, then n_layers strided convs, a stride-1 conv and the 1-channel output.
    static RecognizedArchitecture? JunyanzPatchGan(IReadOnlyDictionary<string, long[]> s)
    {
        if (Shape(s, "model.0.weight") is not [var ndf, _, 4, 4]) return null;
        int convs = s.Count(kv => ModelConv().IsMatch(kv.Key) && kv.Value.Length == 4);
        return Found(ArchitectureKind.PatchGan, $"junyanz PatchGAN (n_layers {convs - 2}, ndf {ndf})", ("n_layers", convs - 2), ("ndf", ndf));
    }

    // junyanz PixelDiscriminator: net.0, net.2, net.5 1x1 convs.
    static RecognizedArchitecture? JunyanzPixelGan(IReadOnlyDictionary<string, long[]> s) =>
        Shape(s, "net.0.weight") is [var ndf, _, 1, 1] && Shape(s, "net.5.weight") is [1, _, 1, 1]
            ? Found(ArchitectureKind.PixelGan, $"junyanz PixelGAN (ndf {ndf})", ("ndf", ndf)) : null;

    [GeneratedRegex(@"^style\.(\d+)\.weight$")] private static partial Regex StyleLayer();
    [GeneratedRegex(@"^(\d+)\.(weight|bias)$")] private static partial Regex SequentialParameter();
    [GeneratedRegex(@"^to_rgbs\.(\d+)\.conv\.weight$")] private static partial Regex ToRgbLayer();
    [GeneratedRegex(@"^mapping\.fc(\d+)\.weight$")] private static partial Regex NvlabsMappingLayer();
    [GeneratedRegex(@"^model\.(\d+)\.conv_block\.1\.weight$")] private static partial Regex ResnetBlock();
    [GeneratedRegex(@"^model\.model\.1(\.model\.3)*\.model\.1\.weight$")] private static partial Regex UnetDownConv();
    [GeneratedRegex(@"^model\.(\d+)\.weight$")] private static partial Regex ModelConv();
}
