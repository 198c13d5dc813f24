using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture;

/// <summary>
/// One quilting pass over a canvas (shared by quilting and texture transfer): blocks of B x B laid in raster order
/// with an overlap O; for each, every sample block is scored over the terms the caller defines (the overlap with
/// what is already laid; for transfer also the correspondence map and the previous iteration), one is chosen at
/// random among those within (1 + tolerance) of the best, and it is pasted behind minimum-error boundary cuts.
/// On a wrapping axis the canvas is a torus: the blocks go round it, and the last one overlaps the first, is matched
/// to it and cut against it like any neighbour.
/// </summary>
internal sealed class Quilter
{
    /// <summary>Correspondence term of texture transfer.</summary>
    internal sealed record TransferTerm(float[] TargetMap, int TargetWidth, int TargetHeight, int MapPlane, float Alpha, bool WholeBlock);

    readonly PatchSource _src;
    readonly int _channels;
    readonly PatchSearch _search;

    public Quilter(PatchSource source, int channels, SearchEngine engine, int maxThreads)
    {
        _src = source; _channels = channels;
        _search = new PatchSearch(source, engine, maxThreads);
    }

    /// <summary>Blocks per row/column so that they cover <paramref name="size"/>, and the canvas side they make.</summary>
    public static (int Count, int Canvas) Layout(int size, int block, int overlap)
    {
        int step = block - overlap;
        int n = Math.Max(1, (int)Math.Ceiling((size - overlap) / (double)step));
        return (n, n * step + overlap);
    }

    /// <summary>
    /// Where the blocks of one side start. A straight side: every step (B - O), the canvas cropped afterwards. A
    /// wrapping side of exactly <paramref name="size"/> pixels (at least two blocks): every step too, but the last
    /// block also overlaps the first across the wrap, by O when the size is a whole number of steps, by up to a step
    /// when the remainder is at least O, and otherwise (a remainder below O) the last block moves right by half the
    /// remainder, so both its overlaps keep at least O minus half the remainder (never less than 1).
    /// </summary>
    internal static int[] Starts(int size, int block, int overlap, bool wraps)
    {
        int step = block - overlap;
        if (!wraps) return [.. Enumerable.Range(0, (size - overlap) / step).Select(i => i * step)];
        int rest = size % step;
        int n = rest == 0 || rest >= overlap ? (size + step - 1) / step : size / step;
        var starts = Enumerable.Range(0, n).Select(i => i * step).ToArray();
        if (rest > 0 && rest < overlap) starts[n - 1] += rest / 2;
        return starts;
    }

    public List<SeamReport> Run(Image canvas, int block, int overlap, float tolerance, TransferTerm? transfer, Random rng,
        IProgress<ProgressReport>? progress, CancellationToken ct, string stage, long stepOffset, long stepTotal,
        TileAxes wrap = TileAxes.None)
    {
        int B = block, O = overlap, C = _channels, W = canvas.Width, H = canvas.Height;
        bool wrapX = wrap.HasFlag(TileAxes.Horizontal), wrapY = wrap.HasFlag(TileAxes.Vertical);
        var xs = Starts(W, B, O, wrapX);
        var ys = Starts(H, B, O, wrapY);
        int nbx = xs.Length, nby = ys.Length;
        var grid = new CandidateGrid(0, 0, _src.Width - B + 1, _src.Height - B + 1);
        var dims = new SearchDim[B * B * (C + 1)];
        var selected = new List<int>();
        var seams = new List<SeamReport>();
        var err = new double[B * B];
        var vCut = new int[B];
        var hCut = new int[B];
        var rCut = new int[B];
        var bCut = new int[B];
        // The canvas column (row) of each column (row) of the block: round the torus on a wrapping side.
        var col = new int[B];
        var row = new int[B];
        long done = stepOffset;
        for (int by = 0; by < nby; by++)
            for (int bx = 0; bx < nbx; bx++)
            {
                ct.ThrowIfCancellationRequested();
                int px = xs[bx], py = ys[by];
                for (int i = 0; i < B; i++) { col[i] = wrapX ? (px + i) % W : px + i; row[i] = wrapY ? (py + i) % H : py + i; }
                bool left = bx > 0, top = by > 0;
                // Overlaps: with the block to the left and above (O, except next to a wrap), and across the wrap with
                // the first block of the row (column), whose start the last block covers (0: no such overlap).
                int leftO = left ? xs[bx - 1] + B - px : 0, topO = top ? ys[by - 1] + B - py : 0;
                int rightO = wrapX && bx == nbx - 1 ? px + B - W : 0, bottomO = wrapY && by == nby - 1 ? py + B - H : 0;
                // Texture terms: the overlap with laid blocks (for transfer after the first iteration: the whole block,
                // which holds this iteration's neighbours in the overlaps and the previous iteration elsewhere).
                int n = 0;
                for (int y = 0; y < B; y++)
                    for (int x = 0; x < B; x++)
                    {
                        bool inTexture = transfer is { WholeBlock: true } || (left && x < leftO) || (top && y < topO)
                            || x >= B - rightO || y >= B - bottomO;
                        if (!inTexture) continue;
                        for (int c = 0; c < C; c++)
                            dims[n++] = new SearchDim(SearchDim.OffsetOf(_src, c, y, x), canvas[c, row[y], col[x]], 1f);
                    }
                int nTex = n;
                float norm;
                if (transfer == null)
                {
                    norm = Math.Max(1, nTex);
                }
                else
                {
                    float wt = nTex > 0 ? transfer.Alpha / nTex : 0f;
                    for (int k = 0; k < nTex; k++) dims[k] = dims[k] with { Weight = wt };
                    float alphaCorr = nTex > 0 ? 1 - transfer.Alpha : 1f;
                    float wc = alphaCorr / (B * B);
                    for (int y = 0; y < B; y++)
                        for (int x = 0; x < B; x++)
                        {
                            int ty = Math.Min(py + y, transfer.TargetHeight - 1), tx = Math.Min(px + x, transfer.TargetWidth - 1);
                            dims[n++] = new SearchDim(SearchDim.OffsetOf(_src, transfer.MapPlane, y, x),
                                transfer.TargetMap[ty * transfer.TargetWidth + tx], wc);
                        }
                    norm = 1f;
                }
                _search.Search(grid, dims, n, norm, 1 + tolerance, selected);
                int pick = selected[selected.Count == 1 ? 0 : rng.Next(selected.Count)];
                int o = grid.SourceIndex(_src, pick);
                int sx = o % _src.Width, sy = o / _src.Width;

                // Minimum-error boundary cuts through the overlaps (across the wrap too).
                if (left) Cut(canvas, col, row, sx, sy, 0, 0, leftO, B, true, bx, by, err, vCut, seams);
                if (top) Cut(canvas, col, row, sx, sy, 0, 0, B, topO, false, bx, by, err, hCut, seams);
                if (rightO > 0) Cut(canvas, col, row, sx, sy, B - rightO, 0, rightO, B, true, bx, by, err, rCut, seams);
                if (bottomO > 0) Cut(canvas, col, row, sx, sy, 0, B - bottomO, B, bottomO, false, bx, by, err, bCut, seams);
                for (int y = 0; y < B; y++)
                    for (int x = 0; x < B; x++)
                    {
                        if (left && x < vCut[y]) continue; // left of the vertical cut: keep what is laid
                        if (top && y < hCut[x]) continue;  // above the horizontal cut
                        if (rightO > 0 && x > B - rightO + rCut[y]) continue;  // right of the cut across the wrap
                        if (bottomO > 0 && y > B - bottomO + bCut[x]) continue; // below it
                        for (int c = 0; c < C; c++) canvas[c, row[y], col[x]] = _src[c, sy + y, sx + x];
                    }
                progress?.Report(new ProgressReport(++done, stepTotal, stage));
            }
        return seams;
    }

    /// <summary>
    /// The minimum-error cut through the w x h overlap at (x0, y0) of the block: top to bottom when
    /// <paramref name="vertical"/> (the path's column in each row), else left to right (its row in each column).
    /// </summary>
    void Cut(Image canvas, int[] col, int[] row, int sx, int sy, int x0, int y0, int w, int h, bool vertical, int bx, int by,
        double[] err, int[] cut, List<SeamReport> seams)
    {
        var surface = err.AsSpan(0, w * h);
        ErrorSurface(canvas, col, row, sx, sy, x0, y0, w, h, surface);
        var (path, cost) = vertical ? BoundaryCut.Vertical(surface, w, h) : BoundaryCut.Horizontal(surface, w, h);
        path.CopyTo(cut, 0);
        double straight = vertical ? BoundaryCut.BestStraightVertical(surface, w, h) : BoundaryCut.BestStraightHorizontal(surface, w, h);
        seams.Add(new SeamReport(bx, by, vertical, cost, straight));
    }

    /// <summary>Squared colour difference between the canvas and the chosen block over the w x h region at (x0, y0) of the block.</summary>
    void ErrorSurface(Image canvas, int[] col, int[] row, int sx, int sy, int x0, int y0, int w, int h, Span<double> err)
    {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double e = 0;
                for (int c = 0; c < _channels; c++)
                {
                    double d = canvas[c, row[y0 + y], col[x0 + x]] - _src[c, sy + y0 + y, sx + x0 + x];
                    e += d * d;
                }
                err[y * w + x] = e;
            }
    }
}
