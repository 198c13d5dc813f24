using Atelier.Networks;
using Atelier.Studio.Jobs;
using Atelier.Style;
using TorchSharp;

namespace Atelier.Studio.Methods;

/// <summary>
/// The VGG-19 the Gatys methods use: the built-in random-weight network (works with nothing downloaded; trained
/// weights do better). Built once per pooling mode and device, then shared: the methods optimise the image, never
/// the network, so concurrent jobs only read it.
/// </summary>
static class StudioVgg
{
    static readonly Dictionary<(VggPooling, string), Vgg> Built = new();
    static readonly object Gate = new();

    public const string Note = "Uses the built-in random-weight VGG-19 (nothing downloaded); trained VGG weights give better results (atelier style gatys --vgg FILE)";

    public static Vgg Get(VggPooling pooling, TorchSharp.torch.Device device)
    {
        lock (Gate)
        {
            var key = (pooling, device.ToString());
            if (!Built.TryGetValue(key, out var vgg))
            {
                vgg = Vgg.BuiltIn(pooling);
                vgg.to(device);
                Built[key] = vgg;
            }
            return vgg;
        }
    }
}

/// <summary>Gatys texture synthesis: an image optimised from noise until its VGG Gram matrices match the sample's.</summary>
public sealed class GatysTextureMethod : StudioMethod
{
    public override string Id => "gatys.texture";
    public override string Panel => "gatys";
    public override string Title => "Gatys texture synthesis";
    public override string About => "optimises noise until its VGG Gram matrices match the sample's; shows the picture as it forms. " + StudioVgg.Note + ".";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("sample", "Sample", "pebbles", 64),
        MethodParam.Int("size", "Output size (px)", 32, 256, 64),
        MethodParam.Int("iterations", "Iterations", 1, 2000, 100),
        MethodParam.Choice("optimizer", "Optimiser", "lbfgs", "lbfgs", "adam"),
        MethodParam.Choice("layers", "Style layers", Shallow, Shallow, Deep) with { Help = "the random-weight VGG works best with the shallow layers" },
        MethodParam.Seed(),
    ];

    internal const string Shallow = "relu1_1-relu3_1", Deep = "relu1_1-relu5_1";

    internal static IReadOnlyList<string> Layers(string choice) =>
        choice == Deep ? GatysOptimizationOptions.DefaultStyleLayers : ["relu1_1", "relu2_1", "relu3_1"];

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var layers = Layers(r.Fields.Choice("layers", Shallow, Shallow, Deep));
        var sample = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "sample", true, ct))!;
        if (sample.Width < 16 || sample.Height < 16 || (long)sample.Width * sample.Height > 512 * 512)
            throw new StudioRequestException(400, $"'sample': use a picture between 16x16 and 512x512 (got {sample.Width}x{sample.Height})");
        int size = r.Fields.Int("size", 64, 32, 256);
        int iterations = r.Fields.Int("iterations", 100, 1, 2000);
        var optimizer = r.Fields.Choice("optimizer", "lbfgs", "lbfgs", "adam") == "adam" ? GatysOptimizer.Adam : GatysOptimizer.Lbfgs;
        long seed = r.Fields.Long("seed", 1, 0, int.MaxValue);
        var device = r.Device;
        return ctx =>
        {
            var vgg = StudioVgg.Get(VggPooling.Average, device);
            var options = new GatysTextureOptions
            {
                Iterations = iterations, Optimizer = optimizer, Seed = seed, StyleLayers = layers,
                SaveEvery = 1, OnFrame = (_, image) => { if (ctx.WantsPreview) ctx.Preview(image); },
            };
            var result = GatysTexture.Synthesize(sample, size, size, vgg, options, ctx.Progress, ctx.CancellationToken);
            return new JobOutput(result.Image, Info(result, seed));
        };
    }

    internal static Dictionary<string, object> Info(GatysResult result, long seed)
    {
        var info = new Dictionary<string, object> { ["seed"] = seed, ["steps"] = result.Steps, ["seconds"] = Math.Round(result.Seconds, 1) };
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
    public override string About => "keeps the content picture's deep features and takes the style picture's Gram matrices; shows the picture as it changes. " + StudioVgg.Note + ".";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("content", "Content", "bricks", 96),
        MethodParam.Image("style", "Style", "weave", 64),
        MethodParam.Int("iterations", "Iterations", 1, 2000, 100),
        MethodParam.Float("styleWeight", "Style weight (log10)", 2, 9, 6, 0.5),
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
        double styleWeight = Math.Pow(10, r.Fields.Double("styleWeight", 6, 2, 9));
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
            var vgg = StudioVgg.Get(VggPooling.Max, device);
            var options = new GatysStyleOptions
            {
                Iterations = iterations, StyleWeight = styleWeight, PreserveColor = preserve, Seed = seed,
                SaveEvery = 1, OnFrame = (_, image) => { if (ctx.WantsPreview) ctx.Preview(image); },
            };
            var result = GatysStyleTransfer.Run(content, [new WeightedStyle(style)], vgg, options, ctx.Progress, ctx.CancellationToken);
            return new JobOutput(result.Image, GatysTextureMethod.Info(result, seed));
        };
    }
}
