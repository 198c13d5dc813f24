using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture;

/// <summary>
/// One quilting pass over a canvas (shared by quilting and texture transfer): blocks of B x B laid in raster order
/// with an overlap O; for each, every sample block is scored over the terms the caller defines (the overlap with
/// what is already laid; for transfer also the correspondence map and the previous iteration), one is chosen at
/// random among those within (1 + tolerance) of the best, and it is pasted behind minimum-error boundary cuts.
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

    public List<SeamReport> Run(Image canvas, int block, int overlap, float tolerance, TransferTerm? transfer, Random rng,
        IProgress<ProgressReport>? progress, CancellationToken ct, string stage, long stepOffset, long stepTotal)
    {
        int B = block, O = overlap, step = B - O, C = _channels;
        int nbx = (canvas.Width - O) / step, nby = (canvas.Height - O) / step;
        var grid = new CandidateGrid(0, 0, _src.Width - B + 1, _src.Height - B + 1);
        var dims = new SearchDim[B * B * (C + 1)];
        var selected = new List<int>();
        var seams = new List<SeamReport>();
        var vErr = new double[B * O];
        var hErr = new double[O * B];
        var vCut = new int[B];
        var hCut = new int[B];
        long done = stepOffset;
        for (int by = 0; by < nby; by++)
            for (int bx = 0; bx < nbx; bx++)
            {
                ct.ThrowIfCancellationRequested();
                int px = bx * step, py = by * step;
                bool left = bx > 0, top = by > 0;
                // Texture terms: the overlap with laid blocks (for transfer after the first iteration: the whole block,
                // which holds this iteration's neighbours in the overlaps and the previous iteration elsewhere).
                int n = 0;
                for (int y = 0; y < B; y++)
                    for (int x = 0; x < B; x++)
                    {
                        bool inTexture = transfer is { WholeBlock: true } || (left && x < O) || (top && y < O);
                        if (!inTexture) continue;
                        for (int c = 0; c < C; c++)
                            dims[n++] = new SearchDim(SearchDim.OffsetOf(_src, c, y, x), canvas[c, py + y, px + x], 1f);
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

                // Minimum-error boundary cuts through the overlaps.
                if (left)
                {
                    ErrorSurface(canvas, px, py, sx, sy, O, B, vErr);
                    var (path, cost) = BoundaryCut.Vertical(vErr, O, B);
                    path.CopyTo(vCut, 0);
                    seams.Add(new SeamReport(bx, by, true, cost, BoundaryCut.BestStraightVertical(vErr, O, B)));
                }
                if (top)
                {
                    ErrorSurface(canvas, px, py, sx, sy, B, O, hErr);
                    var (path, cost) = BoundaryCut.Horizontal(hErr, B, O);
                    path.CopyTo(hCut, 0);
                    seams.Add(new SeamReport(bx, by, false, cost, BoundaryCut.BestStraightHorizontal(hErr, B, O)));
                }
                for (int y = 0; y < B; y++)
                    for (int x = 0; x < B; x++)
                    {
                        if (left && x < vCut[y]) continue; // left of the vertical cut: keep what is laid
                        if (top && y < hCut[x]) continue;  // above the horizontal cut
                        for (int c = 0; c < C; c++) canvas[c, py + y, px + x] = _src[c, sy + y, sx + x];
                    }
                progress?.Report(new ProgressReport(++done, stepTotal, stage));
            }
        return seams;
    }

    /// <summary>Squared colour difference between the canvas and the chosen block over a w x h region at the block's corner.</summary>
    void ErrorSurface(Image canvas, int px, int py, int sx, int sy, int w, int h, double[] err)
    {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double e = 0;
                for (int c = 0; c < _channels; c++)
                {
                    double d = canvas[c, py + y, px + x] - _src[c, sy + y, sx + x];
                    e += d * d;
                }
                err[y * w + x] = e;
            }
    }
}
