using Atelier.Inference;
using Atelier.Networks;

namespace Atelier.Style;

/// <summary>
/// One scale of the coarse-to-fine schedule: its size, its steps, and whether it is optimised whole (with the
/// options' optimiser) or refined in overlapping tiles (with Adam, whose per-pixel state suits tiles).
/// </summary>
/// <param name="EstimatedBytes">Image buffers plus the optimiser's state plus one pass (a whole image or one tile).</param>
public sealed record GatysLevel(int Width, int Height, int Iterations, bool Tiled, int TileWidth, int TileHeight, int Overlap, long EstimatedBytes)
{
    /// <summary>
    /// The tile borders of this scale's grid before it moves (offset 0): the lines a fixed grid would leave a seam along,
    /// for <see cref="Quality.SeamEnergy.Lines"/> (columns and rows that start or end a tile inside the image).
    /// </summary>
    public (int[] Columns, int[] Rows) TileBorders()
    {
        static int[] Axis(int size, int tile, int overlap)
        {
            var spans = GatysTiledRefinement.Spans(size, tile, overlap, 0, wrap: false);
            return [.. spans.Select(s => s.Start).Where(s => s > 0).Concat(spans.Select(s => s.Start + s.Length).Where(e => e < size)).Distinct().Order()];
        }
        return Tiled ? (Axis(Width, TileWidth, Overlap), Axis(Height, TileHeight, Overlap)) : ([], []);
    }

    /// <summary>
    /// The most pixels a pass without gradients (the style targets) may see at this scale: a tiled scale's tile counted
    /// twice, since such a pass keeps only the layers it reads, about half of what a tile's pass with gradients holds.
    /// Null for a scale optimised whole.
    /// </summary>
    public long? MaxTargetPassPixels => Tiled ? 2L * TileWidth * TileHeight : null;

    public override string ToString() => Tiled ? $"{Width}x{Height} in {TileWidth}x{TileHeight} tiles" : $"{Width}x{Height}";
}

/// <summary>
/// The coarse-to-fine schedule of Gatys optimisation and the memory it needs. Scales double up to the output; an
/// output larger than <see cref="CoarsestSide"/> starts at or below it whatever the recipe says (the large structures
/// are set cheaply, the fine scales only refine them), and scales above it take fewer steps, in proportion to their
/// side. A scale that does not fit <see cref="GatysOptimizationOptions.MaxMemory"/> whole is refined in tiles sized
/// from the budget.
/// </summary>
public static class GatysPyramid
{
    /// <summary>The longest side the coarsest scale of a large output may have.</summary>
    public const int CoarsestSide = 512;

    /// <summary>
    /// Bytes of a pass with gradients per float of activation that the forward pass produces (<see
    /// cref="FeatureNetwork.ActivationsPerPixel"/>): the activations autograd keeps, their gradients during the
    /// backward pass, and the Gram and loss temporaries. Measured on the built-in ResNet-18 (docs/style-gatys.md).
    /// </summary>
    const double BytesPerActivation = 4 * 3.0;

    /// <summary>Image-sized RGB float buffers a tiled scale holds: the image, Adam's two moments, the gradient sum, the previous scale upsampled, the content at this scale and at full size, the output.</summary>
    const int ImageBuffers = 8;

    /// <summary>
    /// The schedule for an output of <paramref name="width"/> x <paramref name="height"/> whose loss reads
    /// <paramref name="layers"/>. Throws <see cref="AtelierUsageException"/> naming MaxMemory (or TileSize) when a scale
    /// cannot fit.
    /// </summary>
    public static IReadOnlyList<GatysLevel> Plan(int width, int height, GatysOptimizationOptions options, FeatureNetwork net, IReadOnlyCollection<string> layers)
    {
        long budget = options.MaxMemory ?? TilingOptions.DefaultMaxMemory;
        if (budget <= 0) throw new AtelierUsageException($"{{MaxMemory}} {budget}: must be positive");
        int stride = layers.Max(net.StrideOf);
        double bpp = net.ActivationsPerPixel(layers) * BytesPerActivation;
        int longSide = Math.Max(width, height), scales = options.Scales ?? 1;
        while (scales < 6 && longSide >> (scales - 1) > CoarsestSide) scales++;
        var levels = new List<GatysLevel>();
        foreach (var (w, h) in GatysEngine.ScaleSizes(width, height, scales))
        {
            int side = Math.Max(w, h);
            int iterations = side <= CoarsestSide ? options.Iterations : Math.Max(1, (int)Math.Round(options.Iterations * (double)CoarsestSide / side));
            levels.Add(Level(w, h, iterations, options, stride, bpp, budget, width, height));
        }
        return levels;
    }

    static GatysLevel Level(int w, int h, int iterations, GatysOptimizationOptions options, int stride, double bpp, long budget, int outW, int outH)
    {
        long pixels = (long)w * h;
        long pass = (long)(pixels * bpp);
        // The image buffers, counted at this scale except the full-size content and output (two of them).
        long images = 12L * (pixels * (ImageBuffers - 2) + 2L * outW * outH) + 4 * pixels;
        bool explicitTiles = options.TileSize is int ts && ts < Math.Max(w, h);
        if (!explicitTiles)
        {
            // Whole, with the options' optimiser: L-BFGS keeps up to 100 pairs of image-sized vectors (libtorch's history).
            long state = options.Optimizer == GatysOptimizer.Lbfgs ? 12L * pixels * 2 * Math.Min(iterations, 100) : 0;
            if (images + state + pass <= budget) return new GatysLevel(w, h, iterations, false, w, h, 0, images + state + pass);
        }
        int minTile = 4 * stride;
        int tile;
        if (options.TileSize is int given)
        {
            tile = given / stride * stride;
            if (tile < minTile) throw new AtelierUsageException($"{{TileSize}} {given}: tiles must be at least {minTile} px (four times the network's stride {stride} at the deepest layer)");
        }
        else
        {
            long avail = budget - images;
            tile = avail > 0 ? (int)Math.Min(int.MaxValue, (long)Math.Sqrt(avail / bpp) / stride * stride) : 0;
            if (tile < minTile)
            {
                long needed = images + (long)(minTile * (double)minTile * bpp);
                throw new AtelierUsageException(
                    $"{{MaxMemory}} {MemoryBudget.Format(budget)}: too small for Gatys optimisation of {outW}x{outH}: at {w}x{h} the image buffers take " +
                    $"{MemoryBudget.Format(images)} and the smallest tile ({minTile}x{minTile} px) {MemoryBudget.Format(needed - images)}; give at least {MemoryBudget.Format(needed)}");
            }
        }
        int tw = Math.Min(tile, w), th = Math.Min(tile, h);
        int overlap = options.Overlap ?? Math.Max(stride, tile / 4 / stride * stride);
        if (overlap >= Math.Min(tile, Math.Min(w, h)) / 2 + 1 && (tw < w || th < h)) overlap = Math.Min(tw, th) / 2;
        // Adam's moments are two of the image buffers; one tile's pass with gradients.
        return new GatysLevel(w, h, iterations, true, tw, th, overlap, images + (long)((double)tw * th * bpp));
    }
}
