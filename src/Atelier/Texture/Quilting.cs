using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture;

/// <summary>
/// Image quilting (Efros and Freeman, "Image Quilting for Texture Synthesis and Transfer", SIGGRAPH 2001): blocks of
/// the sample laid with an overlap, each chosen among the blocks whose overlap error is within 10% of the best, and
/// joined along minimum-error boundary cuts. Any output size (the last row and column of blocks are cropped). With
/// <see cref="QuiltingOptions.Tileable"/> the blocks go round the output on those axes instead, so that it tiles.
/// </summary>
public static class Quilting
{
    public static Image Synthesize(Image sample, int width, int height, QuiltingOptions? options = null, int? seed = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default) =>
        SynthesizeWithSeams(sample, width, height, options, TextureChecks.RandomFor(seed), progress, ct).Image;

    public static Image Synthesize(Image sample, int width, int height, QuiltingOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default) =>
        SynthesizeWithSeams(sample, width, height, options, random, progress, ct).Image;

    /// <summary>Quilts and also reports every boundary cut (its cost against the best straight cut).</summary>
    public static QuiltingResult SynthesizeWithSeams(Image sample, int width, int height, QuiltingOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var opt = options ?? new QuiltingOptions();
        TextureChecks.OutputSize(width, height);
        var (B, O) = BlockAndOverlap(sample, opt.Block, opt.Overlap, "the sample");
        TextureChecks.Range(opt.Tolerance, 0, 10, nameof(opt.Tolerance));
        bool wrapX = opt.Tileable.HasFlag(TileAxes.Horizontal), wrapY = opt.Tileable.HasFlag(TileAxes.Vertical);
        if ((wrapX && width < 2 * B) || (wrapY && height < 2 * B))
            throw new AtelierUsageException($"{{Size}} {width}x{height}: a tileable {(wrapX && width < 2 * B ? "width" : "height")} must hold at least two blocks ({2 * B} px with {B} px blocks); use a larger {{Size}} or a smaller {{Block}}");
        // A wrapping side is quilted at its own size (the blocks go round it); a straight one on whole blocks, then cropped.
        int cw = wrapX ? width : Quilter.Layout(width, B, O).Canvas, ch = wrapY ? height : Quilter.Layout(height, B, O).Canvas;
        long blocks = (long)Quilter.Starts(cw, B, O, wrapX).Length * Quilter.Starts(ch, B, O, wrapY).Length;
        var canvas = new Image(cw, ch, sample.Channels);
        var quilter = new Quilter(PatchSource.FromImage(sample), sample.Channels, opt.Engine, opt.MaxThreads);
        var seams = quilter.Run(canvas, B, O, (float)opt.Tolerance, null, random, progress, ct, "quilting", 0, blocks, opt.Tileable);
        return new QuiltingResult(Crop(canvas, width, height), seams);
    }

    internal static (int Block, int Overlap) BlockAndOverlap(Image sample, int block, int overlap, string sampleName)
    {
        int B = block > 0 ? block : QuiltingOptions.DefaultBlock(sample.Width, sample.Height);
        if (block < 0) throw new AtelierUsageException($"{{Block}} {block}: must be positive");
        if (B < 2) throw new AtelierUsageException($"{{Block}} {B}: must be at least 2");
        TextureChecks.SampleAtLeast(sample, B, $"{B}x{B} block", "Block", sampleName);
        int O = overlap > 0 ? overlap : QuiltingOptions.DefaultOverlap(B);
        if (overlap < 0) throw new AtelierUsageException($"{{Overlap}} {overlap}: must be positive");
        if (O >= B) throw new AtelierUsageException($"{{Overlap}} {O}: must be smaller than the block ({B})");
        return (B, O);
    }

    internal static Image Crop(Image canvas, int width, int height)
    {
        if (canvas.Width == width && canvas.Height == height) return canvas;
        var o = new Image(width, height, canvas.Channels);
        for (int c = 0; c < canvas.Channels; c++)
            for (int y = 0; y < height; y++)
                canvas.Data.AsSpan((c * canvas.Height + y) * canvas.Width, width).CopyTo(o.Data.AsSpan((c * height + y) * width, width));
        return o;
    }
}
