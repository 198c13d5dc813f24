using System.CommandLine;
using System.Globalization;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Style;
using TorchSharp;

namespace Atelier.Cli.Commands.Style;

/// <summary>Options and helpers shared by `gatys texture` and `gatys transfer`.</summary>
internal sealed class GatysCliOptions
{
    public readonly Option<string> Output = new("--output", "-o") { Description = "Output image (.png, .jpg or .webp)", Required = true };
    public readonly FeatureCliOption Features = new();
    public readonly Option<string> Pooling = new("--pooling") { Description = "VGG pooling: max or avg (average pooling gives smoother results)", DefaultValueFactory = _ => "max" };
    public readonly Option<string[]> Layers = new("--layers") { Description = "Style layers, e.g. conv1,layer1.0 (ResNet-18) or relu1_1,relu2_1 (VGG); comma-separated or repeated; default: the network's recipe", AllowMultipleArgumentsPerToken = true };
    public readonly Option<string[]> LayerWeights = new("--layer-weights") { Description = "Per-layer style weights, one per --layers entry (default equal)", AllowMultipleArgumentsPerToken = true };
    public readonly Option<int> Iterations;
    public readonly Option<string> Optimizer = new("--optimizer") { Description = "lbfgs or adam", DefaultValueFactory = _ => "lbfgs" };
    public readonly Option<double?> LearningRate = new("--lr") { Description = "Step size (L-BFGS default 1, Adam default 0.02)" };
    public readonly Option<double?> StyleWeight = new("--style-weight") { Description = "Weight of the style (Gram) loss (default: tuned per network)" };
    public readonly Option<double?> TvWeight = new("--tv-weight") { Description = "Weight of the total-variation smoothness loss (default: twice the style weight on ResNet-18, 0 on VGG)" };
    public readonly Option<string?> Smoothing = new("--smoothing") { Description = "Activation transform before comparing: none (default) or softmax (SWAG, Wang et al. 2021)" };
    public readonly Option<int?> Scales = new("--scales") { Description = "Coarse-to-fine scales (1 = output size only; default: the network's recipe: 3 for textures on ResNet-18, else 1)" };
    public readonly Option<string?> MaxMemory = new("--max-memory") { Description = "Memory budget for images, optimiser state and activations, e.g. 1GB or 2GB (default 2GB); scales that do not fit whole are refined in overlapping tiles that share the style targets" };
    public readonly Option<int?> Tile = new("--tile") { Description = "Tile side in pixels for scales larger than it (default: the largest the budget allows)" };
    public readonly Option<int> SaveEvery = new("--save-every") { Description = "Write an intermediate frame every N steps (OUT.NNNN.png beside the output)", DefaultValueFactory = _ => 0 };

    public GatysCliOptions(int defaultIterations)
    {
        Pooling.AcceptOnlyFromAmong("max", "avg");
        Smoothing.AcceptOnlyFromAmong("softmax", "none");
        Optimizer.AcceptOnlyFromAmong("lbfgs", "adam");
        Iterations = new Option<int>("--steps", "-n", "--iterations") { Description = "Optimisation steps", DefaultValueFactory = _ => defaultIterations };
    }

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Output, Pooling, Layers, LayerWeights, Iterations, Optimizer, LearningRate, StyleWeight, TvWeight, Smoothing, Scales, MaxMemory, Tile, SaveEvery })
            cmd.Options.Add(o);
        Features.AddTo(cmd);
    }

    /// <summary>The network: --features (or --vgg FILE), the built-in ResNet-18 by default.</summary>
    public FeatureNetwork LoadNetwork(CliContext ctx) =>
        Features.Load(ctx, ctx.Get(Pooling) == "avg" ? VggPooling.Average : VggPooling.Max);

    /// <summary>
    /// Resolves the options for the network. When --layers was not given and the network stops early (AdaIN's
    /// vgg_normalised files often end at relu4_1), keeps the recipe's style layers it has and says so, instead of
    /// failing on relu5_1.
    /// </summary>
    public T Resolve<T>(CliContext ctx, T o, FeatureNetwork net) where T : GatysOptimizationOptions
    {
        var resolved = (T)o.ResolveFor(net);
        var layers = resolved.StyleLayers!;
        if (Split(ctx.Get(Layers)).Count > 0 || layers.All(net.LayerNames.Contains)) return resolved;
        var kept = layers.Where(net.LayerNames.Contains).ToList();
        if (kept.Count == 0) return resolved; // validation names the missing layer
        ctx.Note($"note: this network stops at {net.LastLayer}; style layers {string.Join(", ", kept)}");
        var weights = resolved.StyleLayerWeights?.Where((_, i) => net.LayerNames.Contains(layers[i])).ToList();
        return resolved with { StyleLayers = kept, StyleLayerWeights = weights };
    }

    /// <summary>Applies the shared options to <paramref name="o"/>; <paramref name="outPath"/> decides the frame names.</summary>
    public T Apply<T>(CliContext ctx, T o, string outPath, long seed) where T : GatysOptimizationOptions
    {
        var layers = Split(ctx.Get(Layers));
        var weights = Split(ctx.Get(LayerWeights)).Select(w => ParseDouble(w, "--layer-weights")).ToList();
        int saveEvery = ctx.Get(SaveEvery);
        // Cheap checks before the network is built, so a typo fails at once.
        foreach (var l in layers)
            if (!FeatureNetworks.IsAnyLayerName(l)) throw new AtelierUsageException($"--layers: unknown layer '{l}'; use names like conv1, layer1.0, layer2.0 (ResNet-18) or relu1_1, relu2_1 (VGG)");
        if (weights.Count > 0 && layers.Count == 0)
            throw new AtelierUsageException("--layer-weights: give --layers too, one weight for each");
        if (weights.Count > 0 && weights.Count != layers.Count)
            throw new AtelierUsageException($"--layer-weights: {weights.Count} weights for {layers.Count} layers ({string.Join(", ", layers)})");
        return o with
        {
            StyleLayers = layers.Count > 0 ? layers : o.StyleLayers,
            StyleLayerWeights = weights.Count > 0 ? weights : null,
            Iterations = ctx.Get(Iterations),
            Optimizer = ctx.Get(Optimizer) == "adam" ? GatysOptimizer.Adam : GatysOptimizer.Lbfgs,
            LearningRate = ctx.Get(LearningRate),
            StyleWeight = ctx.Get(StyleWeight),
            TvWeight = ctx.Get(TvWeight),
            Smoothing = ctx.Get(Smoothing) switch { "softmax" => ActivationSmoothing.Softmax, "none" => ActivationSmoothing.None, _ => null },
            Scales = ctx.Get(Scales),
            MaxMemory = ctx.Get(MaxMemory) is { } mem ? Atelier.Inference.MemoryBudget.Parse(mem) : null,
            TileSize = ctx.Get(Tile),
            SaveEvery = saveEvery,
            Seed = seed,
            OnFrame = saveEvery > 0 ? (step, image) => ImageIO.Save(image, FramePath(outPath, step)) : null,
        };
    }

    public static string FramePath(string outPath, int step)
    {
        var dir = Path.GetDirectoryName(outPath) ?? "";
        var ext = Path.GetExtension(outPath);
        return Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(outPath)}.{step.ToString("D4", CultureInfo.InvariantCulture)}{ext}");
    }

    public static List<string> Split(string[]? values) =>
        values is null ? [] : [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    public static double ParseDouble(string text, string option) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v : throw new AtelierUsageException($"{option}: '{text}' is not a number");

    /// <summary>
    /// Figures for --json (computed only then: it may load the ResNet-18): the artifact figure (high-frequency energy against the style's, 1 = as fine-grained as the
    /// style) and the style distance on the built-in ResNet-18's raw features, whatever network the run used.
    /// Outputs over 1024 px are measured on their centre 1024 px.
    /// </summary>
    public static object Quality(Image output, Image style, FeatureNetwork net)
    {
        // Under the budget policy: the optimisation's freed heap goes back to the system first, and the figures'
        // feature maps (the style at the transfer's scale: 2048 px for a 2048 px output) do not stack on top of it.
        using var budget = Atelier.Runtime.NativeAllocator.EnterBudget();
        var o = output.Width > 1024 || output.Height > 1024 ? ImageOps.Crop(output, Math.Max(0, (output.Width - 1024) / 2), Math.Max(0, (output.Height - 1024) / 2), Math.Min(1024, output.Width), Math.Min(1024, output.Height)) : output;
        double artifact = Atelier.Quality.HighFrequencyEnergy.ArtifactRatio(o, style);
        var resnet = net is ResNetFeatures r && r.Description == FeatureNetworks.ResNet18 ? r : null;
        using var own = resnet is null ? ResNetFeatures.BuiltIn() : null;
        double distance = Atelier.Quality.StyleDistance.Between(resnet ?? own!, o, style, ResNetFeatures.RawStyleLayers);
        return new { artifact = Math.Round(artifact, 3), styleDistance = Math.Round(distance, 4) };
    }

    public static object RoundLosses(IReadOnlyDictionary<string, double> losses) =>
        losses.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 6));

    public static string FormatLosses(IReadOnlyDictionary<string, double> losses) =>
        string.Join(", ", losses.Select(kv => $"{kv.Key} {kv.Value.ToString("G4", CultureInfo.InvariantCulture)}"));
}
