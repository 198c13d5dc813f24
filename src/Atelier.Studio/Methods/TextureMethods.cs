using Atelier.Studio.Jobs;
using Atelier.Texture;

namespace Atelier.Studio.Methods;

/// <summary>Efros-Leung synthesis: exact non-parametric sampling, pixel by pixel (slow: keep outputs small).</summary>
public sealed class EfrosLeungMethod : StudioMethod
{
    public override string Id => "texture.efros-leung";
    public override string Panel => "texture";
    public override string Title => "Efros-Leung";
    public override string About => "grows the texture pixel by pixel from the sample's neighbourhoods (exact; slow, so small sizes).";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("sample", "Sample", "pebbles", 48),
        MethodParam.Int("size", "Output size (px)", 16, 256, 64),
        MethodParam.Int("window", "Window (odd)", 3, 31, 9, "neighbourhood compared; larger keeps bigger structures"),
        MethodParam.Bool("approximate", "Approximate (much faster)", false),
        MethodParam.Seed(),
    ];

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var sample = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "sample", true, ct))!;
        int size = r.Fields.Int("size", 64, 16, 256);
        int window = TextureParams.OddWindow(r.Fields, "window", 9, sample);
        bool approximate = r.Fields.Bool("approximate", false);
        int seed = r.Fields.Int("seed", 1, 0, int.MaxValue);
        var options = new EfrosLeungOptions { Window = window, Approximate = approximate };
        return ctx => new JobOutput(
            EfrosLeung.Synthesize(sample, size, size, options, seed, ctx.Progress, ctx.CancellationToken),
            new Dictionary<string, object> { ["seed"] = seed, ["window"] = window });
    }
}

/// <summary>Scanline synthesis (Wei-Levoy): raster order, L-shaped causal neighbourhoods, optionally over a pyramid.</summary>
public sealed class ScanlineMethod : StudioMethod
{
    public override string Id => "texture.scanline";
    public override string Panel => "texture";
    public override string Title => "Scanline";
    public override string About => "fills the output row by row, comparing only the L-shaped half-window already synthesised; coarse-to-fine with pyramid levels.";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("sample", "Sample", "pebbles", 48),
        MethodParam.Int("size", "Output size (px)", 16, 256, 96),
        MethodParam.Int("window", "Window (odd)", 3, 31, 9, "the L-shaped half of this window is compared"),
        MethodParam.Int("levels", "Pyramid levels", 1, 4, 2, "each coarser level adds a full neighbourhood of the parent"),
        MethodParam.Bool("approximate", "Approximate (much faster)", true),
        MethodParam.Seed(),
    ];

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var sample = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "sample", true, ct))!;
        int size = r.Fields.Int("size", 96, 16, 256);
        int window = TextureParams.OddWindow(r.Fields, "window", 9, sample);
        int levels = r.Fields.Int("levels", 2, 1, 4);
        bool approximate = r.Fields.Bool("approximate", true);
        int seed = r.Fields.Int("seed", 1, 0, int.MaxValue);
        var options = new ScanlineOptions { Window = window, Levels = levels, Approximate = approximate };
        return ctx => new JobOutput(
            Scanline.Synthesize(sample, size, size, options, seed, ctx.Progress, ctx.CancellationToken),
            new Dictionary<string, object> { ["seed"] = seed, ["window"] = window, ["levels"] = levels });
    }
}

/// <summary>Image quilting (Efros-Freeman): blocks of the sample joined along minimum-error cuts.</summary>
public sealed class QuiltingMethod : StudioMethod
{
    public override string Id => "texture.quilting";
    public override string Panel => "texture";
    public override string Title => "Image quilting";
    public override string About => "lays overlapping blocks of the sample and stitches them along minimum-error cuts (fast, any size).";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("sample", "Sample", "bricks", 64),
        MethodParam.Int("size", "Output size (px)", 16, 768, 192),
        MethodParam.Int("block", "Block (px, 0 = auto)", 0, 256, 0),
        MethodParam.Seed(),
    ];

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var sample = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "sample", true, ct))!;
        int size = r.Fields.Int("size", 192, 16, 768);
        int block = r.Fields.Int("block", 0, 0, 256);
        if (block > Math.Min(sample.Width, sample.Height))
            throw new StudioRequestException(400, $"'block': {block} is larger than the sample ({sample.Width}x{sample.Height})");
        if (block is > 0 and < 3) throw new StudioRequestException(400, "'block': use at least 3 pixels (or 0 for automatic)");
        int seed = r.Fields.Int("seed", 1, 0, int.MaxValue);
        var options = new QuiltingOptions { Block = block };
        return ctx => new JobOutput(
            Quilting.Synthesize(sample, size, size, options, seed, ctx.Progress, ctx.CancellationToken),
            new Dictionary<string, object> { ["seed"] = seed });
    }
}

/// <summary>Hole filling: Efros-Leung's constrained synthesis, growing the painted hole in from its border.</summary>
public sealed class HoleFillingMethod : StudioMethod
{
    public override string Id => "fill.efros-leung";
    public override string Panel => "fill";
    public override string Title => "Efros-Leung hole filling";
    public override string About => "paint over the part to replace; it is re-grown from the rest of the picture (pixels outside the hole are kept exactly).";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("image", "Picture", "bricks", 64),
        MethodParam.Mask("mask", "Hole", "image"),
        MethodParam.Int("window", "Window (odd)", 3, 31, 9),
        MethodParam.Seed(),
    ];

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var image = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "image", true, ct))!;
        var mask = (await r.Uploads.ReadMaskAsync(r.Fields.Form, "mask", true, ct))!;
        if (mask.Width != image.Width || mask.Height != image.Height)
            throw new StudioRequestException(400, $"'mask': it is {mask.Width}x{mask.Height} but the picture is {image.Width}x{image.Height}");
        int holes = mask.Data.Count(v => v >= 0.5f);
        if (holes == 0) throw new StudioRequestException(400, "'mask': nothing is painted; paint the region to fill");
        if (holes > image.PlaneSize / 2) throw new StudioRequestException(400, "'mask': more than half the picture is painted; leave enough to copy from");
        if ((long)image.Width * image.Height > 256 * 256)
            throw new StudioRequestException(413, $"'image': hole filling searches the whole picture for every pixel; use at most 256x256 here (got {image.Width}x{image.Height})");
        int window = TextureParams.OddWindow(r.Fields, "window", 9, image);
        int seed = r.Fields.Int("seed", 1, 0, int.MaxValue);
        var options = new EfrosLeungOptions { Window = window };
        return ctx => new JobOutput(
            HoleFilling.Fill(image, mask, options, seed, ctx.Progress, ctx.CancellationToken),
            new Dictionary<string, object> { ["filled"] = holes, ["seed"] = seed });
    }
}

static class TextureParams
{
    public static int OddWindow(Uploads.FormFields f, string name, int fallback, Imaging.Image sample)
    {
        int w = f.Int(name, fallback, 3, 31);
        if (w % 2 == 0) throw new StudioRequestException(400, $"'{name}': {w} must be odd");
        if (w > Math.Min(sample.Width, sample.Height))
            throw new StudioRequestException(400, $"'{name}': {w} is larger than the picture ({sample.Width}x{sample.Height})");
        return w;
    }
}
