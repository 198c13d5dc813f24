namespace Atelier.Inference;

/// <summary>Options of <see cref="TiledInference"/>: a memory budget and/or an explicit tile size, and the overlap.</summary>
public sealed record TilingOptions
{
    /// <summary>Memory the run may use for the images and the network's activations (not the runtime or weights); null = <see cref="DefaultMaxMemory"/>.</summary>
    public long? MaxMemory { get; init; }

    /// <summary>Tile side in pixels (rounded down to the network's multiple); null = the largest the budget allows.</summary>
    public int? TileSize { get; init; }

    /// <summary>Overlap of neighbouring tiles in pixels; null = the network's default.</summary>
    public int? Overlap { get; init; }

    /// <summary>
    /// After the statistics are recorded on a downscaled copy, refine them with a pass over all tiles at full resolution
    /// (one more forward pass per tile). Off by default: each layer's refined statistics are measured downstream of the
    /// downscaled ones of the layers before it, and that mix was measured no better than the downscaled statistics alone
    /// (docs/any-size.md); exact whole-image statistics would need one pass per normalisation layer.
    /// </summary>
    public bool RefineStatistics { get; init; }

    /// <summary>
    /// Share normalisation statistics between tiles (on by default). Off, every tile normalises by its own statistics, as
    /// naive tiling does: kept only to measure what sharing buys.
    /// </summary>
    public bool ShareStatistics { get; init; } = true;

    /// <summary>Replay the statistics already in the <see cref="NormStatistics"/> passed to the run instead of recording new ones.</summary>
    public bool UseGivenStatistics { get; init; }

    /// <summary>The budget when none is given: 2 GB.</summary>
    public const long DefaultMaxMemory = 2L << 30;

    /// <summary>The largest overlap accepted: far beyond any network's receptive field, and safe from overflow.</summary>
    public const int MaxOverlap = 4096;

    /// <summary>Refuses sizes no run can use (a tile beyond the largest image side, a negative or vast overlap).</summary>
    public TilingOptions Validate()
    {
        if (TileSize is int t && (t < 1 || t > SizePolicy.MaxSideLimit))
            throw new AtelierUsageException($"{{TileSize}} {t}: must be between 1 and {SizePolicy.MaxSideLimit} px");
        if (Overlap is int o && (o < 0 || o > MaxOverlap))
            throw new AtelierUsageException($"{{Overlap}} {o}: must be between 0 and {MaxOverlap} px");
        if (MaxMemory is long b && b <= 0) throw new AtelierUsageException($"{{MaxMemory}} {b}: must be positive");
        return this;
    }
}

/// <summary>One tile: its rectangle on the padded canvas, the part of it (its core) that it alone stands for, and how far it overlaps each neighbour.</summary>
public sealed record Tile(int X, int Y, int Width, int Height, int CoreX0, int CoreX1, int CoreY0, int CoreY1,
    int OverlapLeft, int OverlapRight, int OverlapTop, int OverlapBottom);

/// <summary>
/// How an image is cut: the canvas (the image reflection-padded to the network's multiple), the tiles on it (multiples of
/// the multiple, overlapping by at least <see cref="Overlap"/>) and the memory that is expected.
/// </summary>
public sealed record TilePlan(int ImageWidth, int ImageHeight, int CanvasWidth, int CanvasHeight, int PadLeft, int PadTop,
    int TileWidth, int TileHeight, int Overlap, IReadOnlyList<Tile> Tiles, long ImageBytes, long TileBytes)
{
    public bool Tiled => Tiles.Count > 1;

    /// <summary>Expected peak: image buffers plus one tile's forward pass.</summary>
    public long EstimatedBytes => ImageBytes + TileBytes;

    /// <summary>
    /// Plans tiles for an image of <paramref name="width"/> x <paramref name="height"/> with <paramref name="inputChannels"/>
    /// channels (as the network takes them). <paramref name="sourceChannels"/>: channels of the image as loaded when it is
    /// a separate buffer from the network's input (a converted copy), 0 when the input is the loaded image itself; null
    /// assumes a separate copy of <paramref name="inputChannels"/>. Throws <see cref="AtelierUsageException"/> (naming
    /// <see cref="TilingOptions.MaxMemory"/>) when the budget cannot hold one tile.
    /// </summary>
    public static TilePlan Create(int width, int height, int inputChannels, IImageNetwork net, TilingOptions options, int? sourceChannels = null)
    {
        options.Validate();
        int m = net.Multiple;
        var (padLeft, _) = ReflectPadding.PadFor(width, m);
        var (padTop, _) = ReflectPadding.PadFor(height, m);
        int cw = ReflectPadding.RoundUp(width, m), ch = ReflectPadding.RoundUp(height, m);
        int overlap = ReflectPadding.RoundUp(options.Overlap ?? net.Overlap, m);
        long pixels = (long)width * height;
        // The image as loaded (when the network's input is a converted copy), the input and the output, all float32;
        // the blending weights are two lines (TiledInference.WeightSums).
        long imageBytes = 4 * pixels * ((sourceChannels ?? inputChannels) + inputChannels + (long)net.OutputChannels) + 4L * (width + height);
        long budget = options.MaxMemory ?? TilingOptions.DefaultMaxMemory;
        long bpp = net.BytesPerPixel;
        int minSide = 2 * overlap + m; // a tile smaller than this would be mostly overlap

        int tw, th;
        if (options.TileSize is int ts)
        {
            if (ts < m) throw new AtelierUsageException($"{{TileSize}} {ts}: must be at least {m} (the network's multiple)");
            tw = Math.Min(cw, ts / m * m); th = Math.Min(ch, ts / m * m);
        }
        else
        {
            long avail = budget - imageBytes;
            long whole = (long)cw * ch * bpp;
            if (avail >= whole) { tw = cw; th = ch; }
            else
            {
                long side = avail > 0 ? (long)Math.Sqrt(avail / (double)bpp) : 0;
                tw = (int)Math.Min(cw, side / m * m);
                th = tw == 0 ? 0 : (int)Math.Min(ch, avail / bpp / tw / m * m);
                if (th == ch && tw < cw) tw = (int)Math.Min(cw, avail / bpp / th / m * m); // a short, wide image: wider tiles
                int need = Math.Min(minSide, Math.Min(cw, ch));
                if (tw < Math.Min(need, cw) || th < Math.Min(need, ch))
                {
                    long needed = imageBytes + (long)Math.Min(minSide, cw) * Math.Min(minSide, ch) * bpp;
                    throw new AtelierUsageException(
                        $"{{MaxMemory}} {MemoryBudget.Format(budget)}: too small for {net.Name} on a {width}x{height} image: the image buffers take " +
                        $"{MemoryBudget.Format(imageBytes)} and the smallest tile ({Math.Min(minSide, cw)}x{Math.Min(minSide, ch)} px, overlap {overlap}) " +
                        $"{MemoryBudget.Format(needed - imageBytes)}; give at least {MemoryBudget.Format(needed)}, or scale down with {{MaxSide}}");
                }
            }
        }
        if ((tw < cw && tw < minSide) || (th < ch && th < minSide))
            throw new AtelierUsageException($"{{TileSize}} {options.TileSize}: tiles must be at least {minSide} px (twice the overlap {overlap} plus {m}) when the image is cut");

        var xs = Axis(cw, tw, overlap, m);
        var ys = Axis(ch, th, overlap, m);
        var tiles = new List<Tile>();
        foreach (var (y, y0, y1, ot, ob) in ys)
            foreach (var (x, x0, x1, ol, or) in xs)
                tiles.Add(new Tile(x, y, tw, th, x0, x1, y0, y1, ol, or, ot, ob));
        return new TilePlan(width, height, cw, ch, padLeft, padTop, tw, th, overlap, tiles, imageBytes, (long)tw * th * bpp);
    }

    /// <summary>Tile starts along one axis (multiples of m, overlapping by at least <paramref name="overlap"/>) and their cores (split at the middle of each overlap).</summary>
    static List<(int Start, int Core0, int Core1, int Before, int After)> Axis(int canvas, int tile, int overlap, int m)
    {
        if (tile >= canvas) return [(0, 0, canvas, 0, 0)];
        int stride = Math.Max(m, tile - overlap);
        var starts = new List<int>();
        for (int s = 0; ; s += stride)
        {
            if (s + tile >= canvas) { starts.Add(canvas - tile); break; }
            starts.Add(s);
        }
        var result = new List<(int, int, int, int, int)>();
        for (int i = 0; i < starts.Count; i++)
        {
            int c0 = i == 0 ? 0 : Split(starts[i - 1] + tile, starts[i], m);
            int c1 = i == starts.Count - 1 ? canvas : Split(starts[i] + tile, starts[i + 1], m);
            int before = i == 0 ? 0 : starts[i - 1] + tile - starts[i];
            int after = i == starts.Count - 1 ? 0 : starts[i] + tile - starts[i + 1];
            result.Add((starts[i], c0, c1, before, after));
        }
        return result;
    }

    /// <summary>The middle of the overlap between a tile ending at <paramref name="end"/> and the next starting at <paramref name="start"/>, on the multiple.</summary>
    static int Split(int end, int start, int m) => (start + end) / 2 / m * m;

    /// <summary>
    /// Blending weight along one axis of a tile at local position <paramref name="u"/>: a raised-cosine ramp
    /// (sin² rising, cos² falling) across each overlap with a neighbour, 1 elsewhere. Neighbours' ramps over the same
    /// overlap sum to exactly 1, so the blend is a partition of unity with no visible seam.
    /// </summary>
    public static float Ramp(int u, int length, int overlapBefore, int overlapAfter)
    {
        double w = 1;
        if (overlapBefore > 0 && u < overlapBefore) w *= Square(Math.Sin(Math.PI / 2 * (u + 0.5) / overlapBefore));
        int fromEnd = length - 1 - u;
        if (overlapAfter > 0 && fromEnd < overlapAfter) w *= Square(Math.Sin(Math.PI / 2 * (fromEnd + 0.5) / overlapAfter));
        return (float)w;
        static double Square(double v) => v * v;
    }
}
