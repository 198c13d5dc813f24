using Atelier.Networks;
using Atelier.Studio.Jobs;
using Atelier.Style;
using TorchSharp;

namespace Atelier.Studio.Methods;

/// <summary>
/// The perceptual networks the studio's methods use: the built-in ImageNet ResNet-18 by default, or the seeded
/// random-weight VGG-19 for comparison. Built once per choice, pooling and device, then shared: the methods optimise
/// the image, never the network, so concurrent jobs only read it.
/// </summary>
static class StudioFeatures
{
    static readonly Dictionary<(string, VggPooling, string), FeatureNetwork> Built = new();
    static readonly object Gate = new();

    public const string Note = "Features: the built-in ImageNet ResNet-18 (restored with the build, nothing downloaded), or the random-weight VGG-19 for comparison";

    /// <summary>The form field that chooses the network.</summary>
    public static MethodParam Param { get; } = MethodParam.Choice("features", "Feature network", FeatureNetworks.Default, [.. FeatureNetworks.BuiltInNames])
        with { Help = "resnet18: ImageNet-trained, recognisable shapes; vgg19-random: seeded random weights, colours and short strokes" };

    public static string Read(MethodRequest r) => r.Fields.Choice("features", FeatureNetworks.Default, [.. FeatureNetworks.BuiltInNames]);

    public static FeatureNetwork Get(string choice, VggPooling pooling, TorchSharp.torch.Device device)
    {
        lock (Gate)
        {
            var key = (choice, pooling, device.ToString());
            if (!Built.TryGetValue(key, out var net))
            {
                net = FeatureNetworks.Load(choice, pooling);
                net.to(device);
                Built[key] = net;
            }
            return net;
        }
    }
}

/// <summary>Gatys texture synthesis: an image optimised from noise until its VGG Gram matrices match the sample's.</summary>
public sealed class GatysTextureMethod : StudioMethod
{
    public override string Id => "gatys.texture";
    public override string Panel => "gatys";
    public override string Title => "Gatys texture synthesis";
    public override string About => "optimises noise until its Gram matrices of a pretrained network's features match the sample's; shows the picture as it forms. " + StudioFeatures.Note + ".";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("sample", "Sample", "pebbles", 64),
        MethodParam.Int("size", "Output size (px)", 32, 256, 64),
        MethodParam.Int("iterations", "Iterations", 1, 2000, 100),
        MethodParam.Choice("optimizer", "Optimiser", "lbfgs", "lbfgs", "adam"),
        StudioFeatures.Param,
        MethodParam.Choice("layers", "Style layers", All, All, Shallow) with { Help = "all: the network's recipe; shallow: its first three layers (small structures only; the random-weight VGG works best so)" },
        MethodParam.Bool("tileable", "Tileable (wraps both ways)", false) with { Help = "circular padding in the network: the texture's copies tile without a seam; shown tiled 2x2 beside it" },
        MethodParam.Seed(),
    ];

    internal const string All = "all", Shallow = "shallow";

    /// <summary>The style layers for a choice: null (the network's recipe) or the recipe's first three.</summary>
    internal static IReadOnlyList<string>? Layers(string choice, FeatureNetwork net) =>
        choice == Shallow ? [.. net.Recipe.StyleLayers.Take(3)] : null;

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var layerChoice = r.Fields.Choice("layers", All, All, Shallow);
        var features = StudioFeatures.Read(r);
        var sample = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "sample", true, ct))!;
        if (sample.Width < 16 || sample.Height < 16 || (long)sample.Width * sample.Height > 512 * 512)
            throw new StudioRequestException(400, $"'sample': use a picture between 16x16 and 512x512 (got {sample.Width}x{sample.Height})");
        int size = r.Fields.Int("size", 64, 32, 256);
        int iterations = r.Fields.Int("iterations", 100, 1, 2000);
        var optimizer = r.Fields.Choice("optimizer", "lbfgs", "lbfgs", "adam") == "adam" ? GatysOptimizer.Adam : GatysOptimizer.Lbfgs;
        long seed = r.Fields.Long("seed", 1, 0, int.MaxValue);
        bool tileable = r.Fields.Bool("tileable", false);
        var device = r.Device;
        return ctx =>
        {
            var vgg = StudioFeatures.Get(features, VggPooling.Average, device);
            var options = new GatysTextureOptions
            {
                Iterations = iterations, Optimizer = optimizer, Seed = seed, StyleLayers = Layers(layerChoice, vgg), Tileable = tileable,
                SaveEvery = 1, OnFrame = (_, image) => { if (ctx.WantsPreview) ctx.Preview(image); },
            };
            var result = GatysTexture.Synthesize(sample, size, size, vgg, options, ctx.Progress, ctx.CancellationToken);
            return new JobOutput(result.Image, Info(result, seed, vgg)) { Tiled = tileable ? Atelier.Imaging.ImageOps.Tile(result.Image, 2, 2) : null };
        };
    }

    internal static Dictionary<string, object> Info(GatysResult result, long seed, FeatureNetwork net)
    {
        var info = new Dictionary<string, object> { ["seed"] = seed, ["features"] = net.Description, ["steps"] = result.Steps, ["seconds"] = Math.Round(result.Seconds, 1) };
        foreach (var (k, v) in result.Losses) info[k] = double.IsFinite(v) ? Math.Round(v, 4) : v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return info;
    }
}

/// <summary>Gatys style transfer: the content picture re-painted with the style picture's Gram statistics.</summary>
public sealed class GatysStyleMethod : StudioMethod
{
    public override string Id => "gatys.style";
    public override string Panel => "gatys";
    public override string Title => "Gatys style transfer";
    public override string About => "keeps the content picture's deep features and takes the style picture's Gram matrices; shows the picture as it changes. " + StudioFeatures.Note + ".";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("content", "Content", "bricks", 96),
        MethodParam.Image("style", "Style", "weave", 64),
        MethodParam.Int("iterations", "Iterations", 1, 2000, 100),
        StudioFeatures.Param,
        MethodParam.Float("styleWeight", "Style strength (log10, relative to the network's default)", -3, 3, 0, 0.5),
        MethodParam.Choice("preserveColor", "Keep the content's colours", "none", "none", "luminance", "histogram"),
        MethodParam.Seed(),
    ];

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var content = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "content", true, ct))!;
        var style = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "style", true, ct))!;
        foreach (var (name, img) in new[] { ("content", content), ("style", style) })
            if (img.Width < 16 || img.Height < 16 || (long)img.Width * img.Height > 512 * 512)
                throw new StudioRequestException(400, $"'{name}': use a picture between 16x16 and 512x512 here (got {img.Width}x{img.Height})");
        int iterations = r.Fields.Int("iterations", 100, 1, 2000);
        double styleStrength = Math.Pow(10, r.Fields.Double("styleWeight", 0, -3, 3));
        var features = StudioFeatures.Read(r);
        var preserve = r.Fields.Choice("preserveColor", "none", "none", "luminance", "histogram") switch
        {
            "luminance" => ColorPreservation.Luminance,
            "histogram" => ColorPreservation.Histogram,
            _ => ColorPreservation.None,
        };
        long seed = r.Fields.Long("seed", 1, 0, int.MaxValue);
        var device = r.Device;
        return ctx =>
        {
            var vgg = StudioFeatures.Get(features, VggPooling.Max, device);
            var options = new GatysStyleOptions
            {
                Iterations = iterations, StyleWeight = vgg.Recipe.TransferStyleWeight * styleStrength, PreserveColor = preserve, Seed = seed,
                SaveEvery = 1, OnFrame = (_, image) => { if (ctx.WantsPreview) ctx.Preview(image); },
            };
            var result = GatysStyleTransfer.Run(content, [new WeightedStyle(style)], vgg, options, ctx.Progress, ctx.CancellationToken);
            return new JobOutput(result.Image, GatysTextureMethod.Info(result, seed, vgg));
        };
    }
}
