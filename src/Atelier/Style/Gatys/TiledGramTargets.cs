using Atelier.Networks;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Normalised Gram matrices of an image too large for one pass, summed tile by tile. A Gram matrix is a mean over
/// positions (F Fᵀ / M), so it splits exactly into per-tile sums as long as each position's features are the ones the
/// whole image would give. Each tile is therefore passed with a margin of context around it (<see cref="Margin"/>) and
/// only its inner part counts: the features there see the zero padding of the crop edge only through the deepest
/// layers' widest receptive fields, and the tiled Grams stay within a fraction of a percent of the one-pass ones (tested).
/// Tile corners are multiples of the deepest layer's stride, so every layer's positions split cleanly between tiles.
/// </summary>
internal static class TiledGramTargets
{
    /// <summary>Context around each tile, in strides of the deepest layer (at least 64 px).</summary>
    public const int MarginStrides = 4;

    public static int Margin(int stride) => Math.Max(64, MarginStrides * stride) / stride * stride;

    /// <summary>
    /// The normalised Grams (1, C, C) of <paramref name="image"/> (1×3×H×W) at <paramref name="layers"/>, no pass seeing
    /// more than about <paramref name="maxPassPixels"/> pixels (the margin included). The caller owns the results.
    /// </summary>
    /// <param name="margin">Context around each tile in pixels (a multiple of the deepest stride); null: <see cref="Margin"/>.</param>
    public static Tensor[] Compute(FeatureNetwork net, Tensor image, IReadOnlyList<string> layers, long maxPassPixels, int? margin = null)
    {
        int h = (int)image.shape[2], w = (int)image.shape[3];
        int stride = layers.Max(net.StrideOf);
        int context = margin ?? Margin(stride);
        // The inner side: the pass (inner + two margins) within the limit, a multiple of the stride, at least one stride.
        int side = (int)Math.Sqrt(maxPassPixels);
        int inner = Math.Max(stride, (side - 2 * context) / stride * stride);
        var sums = new Tensor?[layers.Count];
        var counts = new long[layers.Count];
        using var _ = no_grad();
        for (int y0 = 0; y0 < h; y0 += inner)
            for (int x0 = 0; x0 < w; x0 += inner)
            {
                using var scope = NewDisposeScope();
                int ya = Math.Max(0, y0 - context), yb = Math.Min(h, y0 + inner + context);
                int xa = Math.Max(0, x0 - context), xb = Math.Min(w, x0 + inner + context);
                var crop = image.narrow(2, ya, yb - ya).narrow(3, xa, xb - xa);
                var features = net.Features(crop, layers);
                for (int i = 0; i < layers.Count; i++)
                {
                    var f = features[layers[i]];
                    int s = net.StrideOf(layers[i]);
                    // The tile's own positions in this layer: from its corner to the next tile's (or the map's end).
                    var (r0, r1) = Inner(y0, inner, h, ya, s, (int)f.shape[2]);
                    var (c0, c1) = Inner(x0, inner, w, xa, s, (int)f.shape[3]);
                    if (r1 <= r0 || c1 <= c0) continue;
                    var part = f.narrow(2, r0, r1 - r0).narrow(3, c0, c1 - c0);
                    var g = GramMatrix.Compute(part);
                    sums[i] = sums[i] is null ? g.MoveToOuterDisposeScope() : sums[i]!.add_(g);
                    counts[i] += (long)(r1 - r0) * (c1 - c0);
                }
            }
        return [.. sums.Select((g, i) => { using (g) return g!.div((double)counts[i]); })]; // the sums go; their means stay
    }

    /// <summary>Feature positions [start, end) of the tile starting at <paramref name="start"/> in a crop starting at <paramref name="cropStart"/>.</summary>
    static (int Start, int End) Inner(int start, int inner, int size, int cropStart, int stride, int mapSize)
    {
        int first = (start - cropStart) / stride;
        int end = start + inner >= size ? mapSize : (start + inner - cropStart) / stride;
        return (first, Math.Min(end, mapSize));
    }
}
