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

    public static Image Fill(Image image, Image mask, EfrosLeungOptions? options = null, int? seed = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        if (mask.Width != image.Width || mask.Height != image.Height)
            throw new AtelierUsageException($"{{Mask}}: the mask is {mask.Width}x{mask.Height} but the image is {image.Width}x{image.Height}; they must be the same size");
        return Fill(image, HoleFromMask(mask), options, TextureChecks.RandomFor(seed), progress, ct);
    }

    public static Image Fill(Image image, bool[] hole, EfrosLeungOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var opt = options ?? new EfrosLeungOptions();
        int W = image.Width, H = image.Height, w = opt.Window;
        if (hole.Length != W * H)
            throw new AtelierUsageException($"{{Mask}}: the mask has {hole.Length} pixels but the image has {W * H}; they must be the same size");
        TextureChecks.OddWindow(opt.Window);
        if (opt.Tileable != TileAxes.None)
            throw new AtelierUsageException($"{{Tileable}} {opt.Tileable.Name()}: hole filling keeps the picture's own borders; it does not wrap around");
        TextureChecks.SampleAtLeast(image, w, $"{w}x{w} window", nameof(opt.Window), "the image");
        int holes = hole.Count(h => h);
        if (holes == 0) throw new AtelierUsageException("{Mask}: the mask marks no pixel to fill (it is all black); white marks the hole");
        if (holes == hole.Length) throw new AtelierUsageException("{Mask}: the mask covers the whole image, leaving nothing to synthesise from");

        // Candidate windows: those with no hole pixel.
        int cols = W - w + 1, rows = H - w + 1;
        var valid = MaskWindows.Touching(hole, W, H, w);
        bool any = false;
        for (int i = 0; i < valid.Length; i++) any |= valid[i] = !valid[i];
        if (!any)
            throw new AtelierUsageException($"{{Window}} {w}: every {w}x{w} window of the image touches the mask, so there is nothing to copy from; use a smaller window or a smaller hole");

        var output = image.Clone();
        var filled = new byte[W * H];
        for (int i = 0; i < filled.Length; i++) filled[i] = hole[i] ? (byte)0 : (byte)1;
        var grower = new NeighbourhoodGrower(output, filled, PatchSource.FromImage(image), new CandidateGrid(0, 0, cols, rows, valid), opt);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (!hole[y * W + x]) grower.SetSource(x, y, x, y);
        grower.Run(random, progress, ct, "fill");
        return output;
    }
}
