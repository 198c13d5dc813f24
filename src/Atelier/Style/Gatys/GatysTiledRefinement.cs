using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Runtime;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Refines an image too large for one pass in overlapping tiles. Every tile is scored against the same Gram targets
/// (computed once from the whole style image), so the style cannot drift from tile to tile as it does when tiles are
/// stylised on their own; each tile has content targets of its own (its crop of the content, through the same
/// padding). One step visits every tile, blends the tiles' pixel gradients with raised-cosine windows (a tile's edges,
/// where the network sees its zero padding, count least) and takes one Adam step for the whole image: Adam's state is
/// per pixel, so it does not care which tile a gradient came from. The grid moves by a seeded random offset every step,
/// so no tile border stays in one place long enough to leave a seam. With <c>wrap</c> the tiles wrap around the image's
/// edges (a tileable texture).
/// </summary>
internal static class GatysTiledRefinement
{
    /// <summary>Adam's step when the options name none (or name L-BFGS's): in [0,1] pixel units, as the whole-image Adam.</summary>
    public const double DefaultLearningRate = 0.02;

    public static (Tensor Image, Dictionary<string, double> Losses) Refine(
        Tensor init, GatysObjective objective, Tensor? content, GatysLevel level, GatysOptimizationOptions options, bool wrap,
        int stepOffset, int totalSteps, string stage, Func<Tensor, Image> toImage, IProgress<ProgressReport>? progress, CancellationToken ct)
    {
        int w = level.Width, h = level.Height, tw = level.TileWidth, th = level.TileHeight;
        double lr = options.Optimizer == GatysOptimizer.Adam && options.LearningRate is double given ? given : DefaultLearningRate;
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        // Seeded per scale: the same seed moves the grid the same way, so a run repeats exactly.
        var rng = GridRandom(options.Seed, w, h);
        var x = init.detach().clone();
        var m = zeros_like(x);
        var v = zeros_like(x);
        var losses = new Dictionary<string, double>();
        try
        {
            for (int step = 1; step <= level.Iterations; step++)
            {
                ct.ThrowIfCancellationRequested();
                var cols = Spans(w, tw, level.Overlap, options.MoveTiles ? rng.Next(Math.Max(1, tw - level.Overlap)) : 0, wrap);
                var rows = Spans(h, th, level.Overlap, options.MoveTiles ? rng.Next(Math.Max(1, th - level.Overlap)) : 0, wrap);
                var sums = new Dictionary<string, double>();
                using (var scope = NewDisposeScope())
                {
                    var grad = zeros_like(x);
                    var weight = zeros(1, 1, h, w, device: x.device);
                    foreach (var (y0, tileH) in rows)
                        foreach (var (x0, tileW) in cols)
                        {
                            ct.ThrowIfCancellationRequested();
                            using var tileScope = NewDisposeScope();
                            var ri = Indices(y0, tileH, h, wrap, x.device);
                            var ci = Indices(x0, tileW, w, wrap, x.device);
                            var tile = x.index_select(2, ri).index_select(3, ci).requires_grad_(true);
                            var targets = content is null ? [] : objective.ContentTargetsOf(content.index_select(2, ri).index_select(3, ci));
                            var parts = new Dictionary<string, double>();
                            // A tile that is the whole image sees the plane it tiles (circular padding) when wrapping.
                            var loss = objective.Evaluate(tile, parts, targets, wrap && tileW == w && tileH == h);
                            loss.backward();
                            var window = Window(x0, tileW, w, y0, tileH, h, level.Overlap, wrap, x.device);
                            using (no_grad())
                            {
                                Scatter(grad, tile.grad!.mul(window), ri, ci);
                                Scatter(weight, window, ri, ci);
                            }
                            foreach (var (k, value) in parts) sums[k] = sums.GetValueOrDefault(k) + value / (rows.Count * cols.Count);
                        }
                    using (no_grad())
                    {
                        var g = grad.div_(weight.clamp_min(1e-6));
                        m.mul_(beta1).add_(g, alpha: 1 - beta1);
                        v.mul_(beta2).addcmul_(g, g, value: 1 - beta2);
                        double c1 = 1 - Math.Pow(beta1, step), c2 = 1 - Math.Pow(beta2, step);
                        var denominator = v.div(c2).sqrt_().add_(eps);
                        x.addcdiv_(m, denominator, value: -lr / c1).clamp_(0, 1);
                    }
                }
                losses = sums;
                if (!losses.Values.All(double.IsFinite))
                    throw new AtelierException($"the optimisation diverged at step {stepOffset + step} (loss {losses.GetValueOrDefault("loss")}); lower the learning rate or the weights");
                int global = stepOffset + step;
                progress?.Report(new ProgressReport(global, totalSteps, stage, new Dictionary<string, double>(losses)));
                if (options.SaveEvery > 0 && options.OnFrame is { } onFrame && global % options.SaveEvery == 0 && global < totalSteps)
                {
                    using var scope = NewDisposeScope();
                    onFrame(global, toImage(x));
                }
            }
            return (x.clone(), losses);
        }
        finally
        {
            x.Dispose(); m.Dispose(); v.Dispose();
        }
    }

    /// <summary>
    /// The generator of a scale's grid offsets: the same for a seed and scale in every process. (HashCode.Combine, used
    /// before, is seeded anew in each process, so seeded runs repeated within a process but not from one run to the next.)
    /// </summary>
    internal static Random GridRandom(long seed, int width, int height) =>
        new(unchecked((int)((ulong)seed * 0x9E3779B97F4A7C15UL >> 33) ^ width * 73856093 ^ height * 19349663));

    /// <summary>
    /// Tiles along one axis of <paramref name="size"/> px as (start, length), the grid shifted back by
    /// <paramref name="offset"/> (less than the stride). With wrapping they are spread evenly round the axis and may
    /// run over its end. Without, every tile has the full length and the first and last may hang over the image's
    /// edges, where they see the image mirrored (<see cref="Indices"/>) and count for nothing (<see cref="Window"/>).
    /// Why full length: pushed inside, the first tile would always end and the last always start at the same place
    /// whatever the offset, and those borders stayed put long enough to show as faint lines (seam figure 1.20 at
    /// 2048 px); cut at the edge, tiles took a new shape at almost every step, and each new shape costs oneDNN cached
    /// convolution primitives with their buffers: the resident set grew by about 0.5 GB over a 2048 px run. One shape
    /// per scale keeps it flat.
    /// </summary>
    internal static List<(int Start, int Length)> Spans(int size, int tile, int overlap, int offset, bool wrap)
    {
        if (tile >= size) return [(0, size)];
        int stride = Math.Max(1, tile - overlap);
        var spans = new List<(int, int)>();
        if (wrap)
        {
            int n = (size + stride - 1) / stride;
            for (int k = 0; k < n; k++) spans.Add(((((int)Math.Round(k * (double)size / n) - offset) % size + size) % size, tile));
            return spans;
        }
        // The last tile starts at most a tile minus one before the end, so a mirrored index never leaves the image.
        for (int s = -offset; ; s += stride)
        {
            spans.Add((s, tile));
            if (s + tile >= size) return spans;
        }
    }

    /// <summary>
    /// Pixel indices of a tile: wrapping round the image, or mirrored at its edges (-1 is 1, size is size - 2) for the
    /// part of an edge tile that hangs over them.
    /// </summary>
    static Tensor Indices(int start, int length, int size, bool wrap, Device device)
    {
        var index = new long[length];
        for (int i = 0; i < length; i++)
        {
            int p = start + i;
            index[i] = wrap ? ((p % size) + size) % size : p < 0 ? -p : p >= size ? 2 * (size - 1) - p : p;
        }
        return tensor(index).to(device);
    }

    /// <summary>
    /// A tile's blending window (1×1×th×tw): a raised-cosine ramp across the overlap at each side that has a
    /// neighbour, 1 up to a side on the image's own (non-wrapping) edge, and 0 beyond it, where an edge tile sees the
    /// image mirrored: those pixels are copies, and their gradients are not counted.
    /// </summary>
    static Tensor Window(int x0, int tw, int w, int y0, int th, int h, int overlap, bool wrap, Device device)
    {
        // The outer product of the two ramps, made by torch: a tile-sized managed array per tile (2.5 MB at 800 px)
        // piled up on the managed heap between collections.
        using var wx = tensor(Ramp(x0, tw, w, overlap, wrap), [1, 1, 1, tw]);
        using var wy = tensor(Ramp(y0, th, h, overlap, wrap), [1, 1, th, 1]);
        return wy.mul(wx).to(device);
    }

    static float[] Ramp(int start, int tile, int size, int overlap, bool wrap)
    {
        int before = tile >= size || (!wrap && start <= 0) ? 0 : overlap;
        int after = tile >= size || (!wrap && start + tile >= size) ? 0 : overlap;
        // The ramps run over the tile's part inside the image; outside it the window is 0.
        int from = wrap ? 0 : Math.Max(0, -start), to = wrap ? tile : Math.Min(tile, size - start);
        // A small floor keeps every pixel's weight sum positive wherever the tiles happen to fall.
        return [.. Enumerable.Range(0, tile).Select(u =>
        {
            if (u < from || u >= to) return 0f;
            return Math.Max(1e-3f, TilePlan.Ramp(u - from, to - from, before, after));
        })];
    }

    /// <summary>Adds a tile-sized tensor into the image-sized <paramref name="target"/> at the tile's (possibly wrapping) rows and columns.</summary>
    static void Scatter(Tensor target, Tensor tile, Tensor rows, Tensor cols)
    {
        using var band = zeros(target.shape[0], target.shape[1], tile.shape[2], target.shape[3], dtype: target.dtype, device: target.device);
        band.index_add_(3, cols, tile, 1);
        target.index_add_(2, rows, band, 1);
    }
}
