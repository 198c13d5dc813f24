using System.Globalization;
using Atelier.Imaging;
using Atelier.Methods;
using Atelier.Networks;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.Style;

/// <summary>Gatys texture synthesis and style transfer as every front end offers them (<see cref="MethodRegistry"/>).</summary>
public static class GatysMethods
{
    /// <summary>Largest output side of a texture (64 megapixels, refined in tiles where the budget asks).</summary>
    const int MaxTextureSide = 8192;
    /// <summary>Style transfer's smallest output side (the networks' minimum input).</summary>
    const int MinSide = 16;

    public static MethodDescriptor Texture { get; } = new()
    {
        Id = "gatys.texture",
        Title = "Gatys texture synthesis",
        About = "optimises noise until the Gram matrices of a pretrained network's features match the sample's (any size; shows the picture as it forms)",
        Reference = "Gatys et al. 2015",
        ShowsSteps = true,
        Parameters =
        [
            P.Image("Sample", "Sample", "pebbles", 64, primary: true, help: "the texture sample"),
            P.Size("Size", "Output size (px)", MaxTextureSide, 256, "output size, WIDTHxHEIGHT or one number for a square (any size; large ones are refined in tiles)"),
            P.OptionalInt("SampleSize", "Sample size (px)", 16, 8192,
                "resize the sample so its longer side is this many pixels first (the texture's elements scale with it); default: as it is"),
            P.Tiling("Tileable", "Tileable", "make the texture tile seamlessly both ways (circular padding in the network; the output wraps around)")
                with { Choices = [TileAxes.None.Name(), TileAxes.Both.Name()] },
            .. Shared(),
            P.Seed(),
        ],
        Validate = v =>
        {
            ValidateShared(v);
            if (v.Tiling("Tileable") is not (TileAxes.None or TileAxes.Both))
                throw new AtelierUsageException($"{{Tileable}} {v.Tiling("Tileable").Name()}: Gatys textures tile both ways or not at all");
        },
        Examples =
        [
            new("gatys-texture", "synthesised from Picabia's Udnie on the built-in ResNet-18, 100 L-BFGS steps",
                new Dictionary<string, object?> { ["Sample"] = new SamplePainting("udnie", 256), ["Size"] = 256, ["Iterations"] = 100 })
                { Quick = new Dictionary<string, object?> { ["Sample"] = new SampleImage("bricks", 32), ["Size"] = 32, ["Iterations"] = 4 } },
            new("gatys-texture-tileable", "synthesised from bricks to tile both ways",
                new Dictionary<string, object?> { ["Sample"] = new SampleImage("bricks", 128), ["Size"] = 256, ["Iterations"] = 100, ["Tileable"] = "both" })
                { Quick = new Dictionary<string, object?> { ["Sample"] = new SampleImage("bricks", 32), ["Size"] = 32, ["Iterations"] = 4 } },
        ],
        Run = (v, run) =>
        {
            var sample = v.Image("Sample");
            if (v.OptionalInt("SampleSize") is int side) sample = ImageResize.ResizeToFit(sample, side, allowUpscale: true);
            var net = Network(v, run);
            var options = Resolve(v, run, Apply(v, run, new GatysTextureOptions { Tileable = v.Tiling("Tileable") == TileAxes.Both }), net);
            var (w, h) = v.Size("Size");
            var result = GatysTexture.Synthesize(sample, w, h, net, options, run.Progress, run.Cancellation);
            var info = Info(v, result, net);
            info["tileable"] = options.Tileable;
            // How visible the wrap is: the seam where the texture meets its own copy against its other neighbouring columns and rows (1 = invisible).
            info["wrapSeam"] = Math.Round(Quality.SeamEnergy.Wrap(result.Image).Ratio, 3);
            return new MethodResult(result.Image, info);
        },
    };

    public static MethodDescriptor Transfer { get; } = new()
    {
        Id = "gatys.transfer",
        Title = "Gatys style transfer",
        About = "keeps the content picture's deep features and takes the style pictures' Gram matrices (shows the picture as it changes)",
        Reference = "Gatys et al. 2016",
        ShowsSteps = true,
        Parameters =
        [
            P.Image("Content", "Content", "lake", 128, primary: true, help: "the content picture"),
            P.Images("Style", "Style", "udnie", 128, "style picture, optionally with a weight: a.jpg:0.7 (repeat to mix styles)") with { Aliases = ["S"] },
            P.Size("Size", "Output size (px)", Inference.SizePolicy.MaxSideLimit, 512,
                "longer side of the output in pixels (the content is resized to it; WIDTHxHEIGHT fits it in that box); sizes that do not fit the memory budget whole are refined in tiles"),
            P.Float("ContentWeight", "Content weight", 0, 1e12, 1.0, 0.1, "weight of the content loss"),
            P.Text("ContentLayers", "Content layers", help: "content layers, comma-separated (default: the network's recipe, layer3.1 on ResNet-18, relu4_2 on VGG)")
                with { Repeatable = true },
            P.Choice("Init", "Start from", "content", ["content", "noise", "style"], "start from the content, noise or the style picture"),
            P.Choice("PreserveColor", "Keep the content's colours", "none", ["none", "luminance", "histogram"],
                "keep the content's colours: luminance (YIQ) or histogram (recolour the style first)"),
            P.Float("StyleScale", "Style scale", 0.01, 100, 1.0, 0.1, "style picture's longer side relative to the output's (bigger = larger brush strokes)"),
            .. Shared(),
            P.Seed(),
        ],
        Validate = v =>
        {
            ValidateShared(v);
            var (w, h) = v.Size("Size");
            if (Math.Min(w, h) < MinSide)
                throw new AtelierUsageException($"{{Size}} {w}x{h}: must be {MinSide} to {Inference.SizePolicy.MaxSideLimit} (sizes that do not fit {{MaxMemory}} whole are refined in tiles)");
            foreach (var s in v.Images("Style"))
                if (!(s.Weight > 0)) throw new AtelierUsageException($"{{Style}} weight {s.Weight.ToString(CultureInfo.InvariantCulture)}: the weight must be a positive number");
            foreach (var l in Split(v.OptionalText("ContentLayers")))
                if (!FeatureNetworks.IsAnyLayerName(l)) throw new AtelierUsageException($"{{ContentLayers}}: unknown layer '{l}'; use names like layer3.1 (ResNet-18) or relu4_2 (VGG)");
        },
        Examples =
        [
            new("gatys-transfer", "the lake photo in Picabia's Udnie, 100 L-BFGS steps on the built-in ResNet-18",
                new Dictionary<string, object?> { ["Content"] = new SamplePhoto("lake", 256), ["Style"] = new SamplePainting("udnie", 256), ["Size"] = 256, ["Iterations"] = 100 })
                { Quick = new Dictionary<string, object?> { ["Content"] = new SampleImage("bricks", 32), ["Style"] = new SampleImage("weave", 32, SeedOffset: 1), ["Size"] = 32, ["Iterations"] = 4 } },
        ],
        Run = (v, run) =>
        {
            var (w, h) = v.Size("Size");
            var content = FitInto(v.Image("Content"), w, h);
            var styles = v.Images("Style").Select(s => new WeightedStyle(s.Image, s.Weight)).ToList();
            var net = Network(v, run);
            var contentLayers = Split(v.OptionalText("ContentLayers"));
            var options = Apply(v, run, new GatysStyleOptions
            {
                ContentWeight = v.Float("ContentWeight"),
                ContentLayers = contentLayers.Count > 0 ? contentLayers : null,
                Init = v.Choice("Init") switch { "noise" => GatysInit.Noise, "style" => GatysInit.Style, _ => GatysInit.Content },
                PreserveColor = v.Choice("PreserveColor") switch { "luminance" => ColorPreservation.Luminance, "histogram" => ColorPreservation.Histogram, _ => ColorPreservation.None },
                StyleScale = v.Float("StyleScale"),
            });
            options = Resolve(v, run, options, net);
            if (contentLayers.Count == 0 && !options.ContentLayers!.All(net.LayerNames.Contains))
            {
                // The default content layer relu4_2 is one past the end of a relu4_1 file: take the deepest ReLU there is.
                var deepest = net.LayerNames.Last(n => n.StartsWith("relu", StringComparison.Ordinal));
                run.Note?.Invoke($"note: this network stops at {net.LastLayer}; content layer {deepest}");
                options = options with { ContentLayers = [deepest] };
            }
            var result = GatysStyleTransfer.Run(content, styles, net, options, run.Progress, run.Cancellation);
            var info = Info(v, result, net);
            // A tiled run's seam figure: the energy across the borders of its unmoved tile grid against its other neighbouring columns and rows (1 = no seam).
            var (columns, rows) = result.Levels.Count > 0 ? result.Levels[^1].TileBorders() : ([], []);
            if (columns.Length + rows.Length > 0) info["seam"] = Math.Round(Quality.SeamEnergy.Lines(result.Image, columns, rows).Ratio, 3);
            return new MethodResult(result.Image, info);
        },
    };

    /// <summary>The style at the scale a transfer used it (the first style: what the run's figures are measured against).</summary>
    public static Image StyleAsUsed(MethodValues v, Image output) =>
        ImageResize.ResizeToFit(v.Images("Style")[0].Image, (int)Math.Round(v.Float("StyleScale") * Math.Max(output.Width, output.Height)), allowUpscale: true);

    /// <summary>The parameters both methods share: the network, its layers, the optimiser, the loss weights, scales and memory.</summary>
    static IEnumerable<MethodParameter> Shared() =>
    [
        P.Int("Iterations", "Steps", 1, 1_000_000, 300, "optimisation steps (at the finest scale)") with { Aliases = ["Steps", "N"] },
        P.Features(),
        P.Choice("Pooling", "VGG pooling", "max", ["max", "avg"], "VGG pooling: max or avg (average pooling gives smoother results)"),
        P.Text("Layers", "Style layers",
            help: "style layers, comma-separated: e.g. conv1,layer1.0 (ResNet-18) or relu1_1,relu2_1 (VGG); shallow: the recipe's first three; default: the network's recipe")
            with { Repeatable = true },
        P.Text("LayerWeights", "Layer weights", help: "per-layer style weights, one per style layer, comma-separated (default equal)") with { Repeatable = true },
        P.Choice("Optimizer", "Optimiser", "lbfgs", ["lbfgs", "adam"], "lbfgs or adam"),
        P.OptionalFloat("LearningRate", "Step size", 0, 1e6, 0.01, "step size (L-BFGS default 1, Adam default 0.02)") with { Aliases = ["Lr"] },
        P.OptionalFloat("StyleWeight", "Style weight", 0, 1e30, 1, "weight of the style (Gram) loss (default: tuned per network)"),
        P.Float("StyleStrength", "Style strength (log10)", -3, 3, 0, 0.5, "multiplies the style weight by 10 to this power (0: the weight as given, or the network's)"),
        P.OptionalFloat("TvWeight", "Smoothness weight", 0, 1e30, 1,
            "weight of the total-variation smoothness loss (default: twice the style weight on ResNet-18, 0 on VGG)"),
        P.Choice("Smoothing", "Activation smoothing", "auto", ["auto", "none", "softmax"],
            "activation transform before comparing: auto (the network's recipe), none or softmax (SWAG, Wang et al. 2021)"),
        P.OptionalInt("Scales", "Coarse-to-fine scales", 1, 12, "coarse-to-fine scales (1 = output size only; default: the network's recipe: 3 for textures on ResNet-18, else 1)"),
        P.Text("MaxMemory", "Memory budget",
            help: "memory budget for images, optimiser state and activations, e.g. 1GB or 2GB (default 2GB); scales that do not fit whole are refined in overlapping tiles that share the style targets"),
        P.OptionalInt("Tile", "Tile (px)", 16, Inference.SizePolicy.MaxSideLimit, "tile side in pixels for scales larger than it (default: the largest the budget allows)"),
    ];

    /// <summary>Cheap checks before the network is built, so a typo fails at once.</summary>
    static void ValidateShared(MethodValues v)
    {
        var layers = Split(v.OptionalText("Layers"));
        var weights = Weights(v);
        if (!IsShallow(v))
            foreach (var l in layers)
                if (!FeatureNetworks.IsAnyLayerName(l)) throw new AtelierUsageException($"{{Layers}}: unknown layer '{l}'; use names like conv1, layer1.0, layer2.0 (ResNet-18) or relu1_1, relu2_1 (VGG)");
        if (weights.Count > 0 && (layers.Count == 0 || IsShallow(v)))
            throw new AtelierUsageException("{LayerWeights}: give {Layers} too, one weight for each");
        if (weights.Count > 0 && weights.Count != layers.Count)
            throw new AtelierUsageException($"{{LayerWeights}}: {weights.Count} weights for {layers.Count} layers ({string.Join(", ", layers)})");
        if (v.OptionalText("MaxMemory") is { } memory) Inference.MemoryBudget.Parse(memory);
    }

    static bool IsShallow(MethodValues v) => v.OptionalText("Layers")?.Trim() == "shallow";

    static List<double> Weights(MethodValues v) =>
        [.. Split(v.OptionalText("LayerWeights")).Select(w => double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d : throw new AtelierUsageException($"{{LayerWeights}}: '{w}' is not a number"))];

    static List<string> Split(string? text) =>
        text is null ? [] : [.. text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    static FeatureNetwork Network(MethodValues v, MethodContext run) =>
        run.Resources.Features(v.Text("Features"), v.Choice("Pooling") == "avg" ? VggPooling.Average : VggPooling.Max, run.Device);

    /// <summary>The shared values on <paramref name="o"/>; previews every step a watcher asks for.</summary>
    static T Apply<T>(MethodValues v, MethodContext run, T o) where T : GatysOptimizationOptions
    {
        var layers = IsShallow(v) ? [] : Split(v.OptionalText("Layers"));
        var weights = Weights(v);
        int every = run.PreviewEvery;
        return o with
        {
            StyleLayers = layers.Count > 0 ? layers : o.StyleLayers,
            StyleLayerWeights = weights.Count > 0 ? weights : null,
            Iterations = v.Int("Iterations"),
            Optimizer = v.Choice("Optimizer") == "adam" ? GatysOptimizer.Adam : GatysOptimizer.Lbfgs,
            LearningRate = v.OptionalFloat("LearningRate"),
            StyleWeight = v.OptionalFloat("StyleWeight"),
            TvWeight = v.OptionalFloat("TvWeight"),
            Smoothing = v.Choice("Smoothing") switch { "softmax" => ActivationSmoothing.Softmax, "none" => ActivationSmoothing.None, _ => null },
            Scales = v.OptionalInt("Scales"),
            MaxMemory = v.OptionalText("MaxMemory") is { } memory ? Inference.MemoryBudget.Parse(memory) : null,
            TileSize = v.OptionalInt("Tile"),
            Seed = v.Seed(),
            SaveEvery = every,
            OnFrame = every > 0 ? (step, image) => run.ShowPreview(step, () => image) : null,
        };
    }

    /// <summary>
    /// The options resolved for the network, the style strength applied. Without chosen layers on a network that stops
    /// early (AdaIN's vgg_normalised files often end at relu4_1), keeps the recipe's style layers it has and says so,
    /// instead of failing on relu5_1; shallow takes the recipe's first three.
    /// </summary>
    static T Resolve<T>(MethodValues v, MethodContext run, T o, FeatureNetwork net) where T : GatysOptimizationOptions
    {
        if (IsShallow(v)) o = o with { StyleLayers = [.. net.Recipe.StyleLayers.Take(3)] };
        double strength = Math.Pow(10, v.Float("StyleStrength"));
        var resolved = (T)o.ResolveFor(net);
        // A strength scales the style weight after the recipe picked it; the smoothness term keeps its recipe ratio unless given.
        if (strength != 1)
            resolved = (T)(o with { StyleWeight = resolved.StyleWeight * strength }).ResolveFor(net);
        var layers = resolved.StyleLayers!;
        if (Split(v.OptionalText("Layers")).Count > 0 || layers.All(net.LayerNames.Contains)) return resolved;
        var kept = layers.Where(net.LayerNames.Contains).ToList();
        if (kept.Count == 0) return resolved; // validation names the missing layer
        run.Note?.Invoke($"note: this network stops at {net.LastLayer}; style layers {string.Join(", ", kept)}");
        var weights = resolved.StyleLayerWeights?.Where((_, i) => net.LayerNames.Contains(layers[i])).ToList();
        return resolved with { StyleLayers = kept, StyleLayerWeights = weights };
    }

    /// <summary>The content resized so it fits <paramref name="width"/> x <paramref name="height"/> (a square: its longer side is the size).</summary>
    static Image FitInto(Image content, int width, int height)
    {
        int side = width == height ? width
            : content.Width >= content.Height ? Math.Min(width, (int)Math.Round((double)height * content.Width / content.Height))
            : Math.Min(height, (int)Math.Round((double)width * content.Height / content.Width));
        return ImageResize.ResizeToFit(content, Math.Max(1, side), allowUpscale: true);
    }

    static Dictionary<string, object> Info(MethodValues v, GatysResult result, FeatureNetwork net) => new()
    {
        ["seed"] = v.Seed(),
        ["features"] = net.Description,
        ["steps"] = result.Steps,
        ["seconds"] = Math.Round(result.Seconds, 3),
        // A loss that went non-finite is reported as text (JSON has no NaN).
        ["losses"] = result.Losses.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? Math.Round(kv.Value, 6) : (object)kv.Value.ToString(CultureInfo.InvariantCulture)),
        ["scales"] = result.Levels.Select(l => l.ToString()).ToList(),
    };
}
