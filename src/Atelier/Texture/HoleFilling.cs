using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture;

/// <summary>
/// Hole filling by Efros-Leung's constrained synthesis: the masked pixels grow inwards from the hole's border,
/// matched against every window of the image that lies wholly outside the hole. Pixels outside the mask are
/// never written: they come back bit for bit.
/// </summary>
public static class HoleFilling
{
    /// <summary>Which pixels a mask image marks for filling: white (mean of the colour channels &gt;= 0.5).</summary>
    public static bool[] HoleFromMask(Image mask)
    {
        int colour = Math.Min(mask.Channels, 3), n = mask.PlaneSize;
        var hole = new bool[n];
        for (int i = 0; i < n; i++)
        {
            float s = 0;
            for (int c = 0; c < colour; c++) s += mask.Data[c * n + i];
            hole[i] = s / colour >= 0.5f;
        }
        return hole;
    }

    /// <summary>
    /// The pixels within <paramref name="radius"/> (Euclidean) of the hole but outside it: a sample region that keeps
    /// the fill to what surrounds the hole, as GIMP's heal selection samples a ring around the selection.
    /// </summary>
    public static bool[] SamplingRing(bool[] hole, int width, int height, int radius)
    {
        if (radius < 1) throw new AtelierUsageException($"{{Ring}} {radius}: must be at least 1 pixel");
        var ring = new bool[hole.Length];
        int r2 = radius * radius;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (!hole[y * width + x]) continue;
                for (int dy = Math.Max(-radius, -y); dy <= Math.Min(radius, height - 1 - y); dy++)
                    for (int dx = Math.Max(-radius, -x); dx <= Math.Min(radius, width - 1 - x); dx++)
                        if (dx * dx + dy * dy <= r2) ring[(y + dy) * width + x + dx] = true;
            }
        for (int i = 0; i < ring.Length; i++) ring[i] &= !hole[i];
        return ring;
    }

    public static Image Fill(Image image, Image mask, EfrosLeungOptions? options = null, int? seed = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        if (mask.Width != image.Width || mask.Height != image.Height)
            throw new AtelierUsageException($"{{Mask}}: the mask is {mask.Width}x{mask.Height} but the image is {image.Width}x{image.Height}; they must be the same size");
        return Fill(image, HoleFromMask(mask), options, TextureChecks.RandomFor(seed), progress, ct);
    }

    public static Image Fill(Image image, bool[] hole, EfrosLeungOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default) =>
        Fill(image, hole, null, options, random, progress, ct);

    /// <summary>
    /// Fills the <paramref name="hole"/> pixels (y * width + x, true = fill); with <paramref name="sourceRegion"/>,
    /// copying only from windows wholly inside that region.
    /// </summary>
    public static Image Fill(Image image, bool[] hole, bool[]? sourceRegion, EfrosLeungOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var opt = options ?? new EfrosLeungOptions();
        int W = image.Width, H = image.Height, w = opt.Window;
        if (hole.Length != W * H)
            throw new AtelierUsageException($"{{Mask}}: the mask has {hole.Length} pixels but the image has {W * H}; they must be the same size");
        TextureChecks.OddWindow(opt.Window);
        if (opt.RefinementPasses < 0 || opt.RefinementPasses > 20)
            throw new AtelierUsageException($"{{RefinementPasses}} {opt.RefinementPasses}: must be between 0 and 20");
        if (opt.Tileable != TileAxes.None)
            throw new AtelierUsageException($"{{Tileable}} {opt.Tileable.Name()}: hole filling keeps the picture's own borders; it does not wrap around");
        TextureChecks.SampleAtLeast(image, w, $"{w}x{w} window", nameof(opt.Window), "the image");
        int holes = hole.Count(h => h);
        if (holes == 0) throw new AtelierUsageException("{Mask}: the mask marks no pixel to fill (it is all black); white marks the hole");
        if (holes == hole.Length) throw new AtelierUsageException("{Mask}: the mask covers the whole image, leaving nothing to synthesise from");

        if (sourceRegion is not null && sourceRegion.Length != W * H)
            throw new AtelierUsageException($"{{SampleMask}}: the sample mask has {sourceRegion.Length} pixels but the image has {W * H}; they must be the same size");

        // Candidate windows: those with no hole pixel (and, with a region, none outside it).
        int cols = W - w + 1, rows = H - w + 1;
        var valid = MaskWindows.Touching(hole, W, H, w);
        var outside = sourceRegion is null ? null : MaskWindows.Touching(sourceRegion.Select(r => !r).ToArray(), W, H, w);
        bool any = false;
        for (int i = 0; i < valid.Length; i++) any |= valid[i] = !valid[i] && (outside is null || !outside[i]);
        if (!any)
            throw new AtelierUsageException(sourceRegion is null
                ? $"{{Window}} {w}: every {w}x{w} window of the image touches the mask, so there is nothing to copy from; use a smaller window or a smaller hole"
                : $"{{Window}} {w}: no {w}x{w} window lies wholly inside the sample region and outside the hole, so there is nothing to copy from; use a smaller window or a larger region");

        var output = image.Clone();
        var filled = new byte[W * H];
        for (int i = 0; i < filled.Length; i++) filled[i] = hole[i] ? (byte)0 : (byte)1;
        var grower = new NeighbourhoodGrower(output, filled, PatchSource.FromImage(image), new CandidateGrid(0, 0, cols, rows, valid), opt);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (!hole[y * W + x]) grower.SetSource(x, y, x, y);
        grower.Run(random, progress, ct, "fill");
        if (opt.RefinementPasses > 0)
            grower.Refine([.. Enumerable.Range(0, W * H).Where(i => hole[i])], opt.RefinementPasses, random, progress, ct, "refine");
        return output;
    }
}
