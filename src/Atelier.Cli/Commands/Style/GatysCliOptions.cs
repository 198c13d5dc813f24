using System.CommandLine;
using System.Globalization;
using Atelier.Cli.Cli;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Style;
using TorchSharp;

namespace Atelier.Cli.Commands.Style;

/// <summary>Options and helpers shared by `style texture` and `style gatys`.</summary>
internal sealed class GatysCliOptions
{
    public readonly Option<string> Output = new("--output", "-o") { Description = "Output image (.png, .jpg or .webp)", Required = true };
    public readonly Option<string?> Vgg = new("--vgg") { Description = "VGG-19/16 weights: torchvision's vgg19-dcbb9e9d.pth or a normalised vgg (AdaIN/WCT); default: the built-in random-weight VGG-19" };
    public readonly Option<string> Pooling = new("--pooling") { Description = "max or avg (average pooling gives smoother results)", DefaultValueFactory = _ => "max" };
    public readonly Option<string[]> Layers = new("--layers") { Description = "Style layers, e.g. relu1_1,relu2_1 (comma-separated or repeated)", AllowMultipleArgumentsPerToken = true };
    public readonly Option<string[]> LayerWeights = new("--layer-weights") { Description = "Per-layer style weights, one per --layers entry (default equal)", AllowMultipleArgumentsPerToken = true };
    public readonly Option<int> Iterations;
    public readonly Option<string> Optimizer = new("--optimizer") { Description = "lbfgs or adam", DefaultValueFactory = _ => "lbfgs" };
    public readonly Option<double?> LearningRate = new("--lr") { Description = "Step size (L-BFGS default 1, Adam default 0.02)" };
    public readonly Option<double> StyleWeight = new("--style-weight") { Description = "Weight of the style (Gram) loss", DefaultValueFactory = _ => new GatysStyleOptions().StyleWeight };
    public readonly Option<double> TvWeight = new("--tv-weight") { Description = "Weight of the total-variation smoothness loss", DefaultValueFactory = _ => 0.0 };
    public readonly Option<int> Scales = new("--scales") { Description = "Coarse-to-fine scales (1 = output size only; 2-3 for large outputs)", DefaultValueFactory = _ => 1 };
    public readonly Option<int> SaveEvery = new("--save-every") { Description = "Write an intermediate frame every N steps (OUT.NNNN.png beside the output)", DefaultValueFactory = _ => 0 };

    public GatysCliOptions(int defaultIterations)
    {
        Pooling.AcceptOnlyFromAmong("max", "avg");
        Optimizer.AcceptOnlyFromAmong("lbfgs", "adam");
        Iterations = new Option<int>("--iterations", "-n") { Description = "Optimisation steps", DefaultValueFactory = _ => defaultIterations };
    }

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Output, Vgg, Pooling, Layers, LayerWeights, Iterations, Optimizer, LearningRate, StyleWeight, TvWeight, Scales, SaveEvery })
            cmd.Options.Add(o);
    }

    /// <summary>The network: --vgg FILE, or the built-in random-weight VGG-19 (saying once that trained weights do better).</summary>
    public Vgg LoadVgg(CliContext ctx)
    {
        var pooling = ctx.Get(Pooling) == "avg" ? VggPooling.Average : VggPooling.Max;
        var path = ctx.Get(Vgg);
        Vgg vgg;
        if (string.IsNullOrEmpty(path))
        {
            ctx.Note("note: using the built-in random-weight VGG-19; trained weights give better results: pass --vgg FILE " +
                     "(e.g. torchvision's vgg19-dcbb9e9d.pth, or AdaIN's vgg_normalised.pth)");
            vgg = Networks.Vgg.BuiltIn(pooling);
        }
        else vgg = Networks.Vgg.Load(path, pooling);
        vgg.to(ctx.Device);
        return vgg;
    }

    /// <summary>
    /// When --layers was not given and the VGG file stops early (AdaIN's vgg_normalised files often end at relu4_1),
    /// keeps the default style layers it has and says so, instead of failing on relu5_1.
    /// </summary>
    public T FitDefaultLayers<T>(CliContext ctx, T o, Vgg vgg) where T : GatysOptimizationOptions
    {
        if (Split(ctx.Get(Layers)).Count > 0 || o.StyleLayers.All(vgg.LayerNames.Contains)) return o;
        var kept = o.StyleLayers.Where(vgg.LayerNames.Contains).ToList();
        if (kept.Count == 0) return o; // validation names the missing layer
        ctx.Note($"note: this VGG stops at {vgg.LastLayer}; style layers {string.Join(", ", kept)}");
        var weights = o.StyleLayerWeights?.Where((_, i) => vgg.LayerNames.Contains(o.StyleLayers[i])).ToList();
        return o with { StyleLayers = kept, StyleLayerWeights = weights };
    }

    /// <summary>Applies the shared options to <paramref name="o"/>; <paramref name="outPath"/> decides the frame names.</summary>
    public T Apply<T>(CliContext ctx, T o, string outPath, long seed) where T : GatysOptimizationOptions
    {
        var layers = Split(ctx.Get(Layers));
        var weights = Split(ctx.Get(LayerWeights)).Select(w => ParseDouble(w, "--layer-weights")).ToList();
        int saveEvery = ctx.Get(SaveEvery);
        // Cheap checks before the network is built, so a typo fails at once.
        foreach (var l in layers)
            if (!Networks.Vgg.IsLayerName(l)) throw new AtelierUsageException($"--layers: unknown VGG layer '{l}'; use names like relu1_1, relu2_1, conv3_1, pool2");
        if (weights.Count > 0 && weights.Count != (layers.Count > 0 ? layers.Count : o.StyleLayers.Count))
            throw new AtelierUsageException($"--layer-weights: {weights.Count} weights for {(layers.Count > 0 ? layers.Count : o.StyleLayers.Count)} layers ({string.Join(", ", layers.Count > 0 ? layers : o.StyleLayers)})");
        return o with
        {
            StyleLayers = layers.Count > 0 ? layers : o.StyleLayers,
            StyleLayerWeights = weights.Count > 0 ? weights : null,
            Iterations = ctx.Get(Iterations),
            Optimizer = ctx.Get(Optimizer) == "adam" ? GatysOptimizer.Adam : GatysOptimizer.Lbfgs,
            LearningRate = ctx.Get(LearningRate),
            StyleWeight = ctx.Get(StyleWeight),
            TvWeight = ctx.Get(TvWeight),
            Scales = ctx.Get(Scales),
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

    public static object RoundLosses(IReadOnlyDictionary<string, double> losses) =>
        losses.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 6));

    public static string FormatLosses(IReadOnlyDictionary<string, double> losses) =>
        string.Join(", ", losses.Select(kv => $"{kv.Key} {kv.Value.ToString("G4", CultureInfo.InvariantCulture)}"));
}
