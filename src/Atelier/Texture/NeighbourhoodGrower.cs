using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture;

/// <summary>
/// The Efros-Leung growing loop shared by synthesis and hole filling: repeatedly takes the unfilled pixels that touch
/// filled ones (most filled neighbours first, ties in random order), compares each one's known neighbourhood with
/// every allowed sample window by Gaussian-weighted SSD normalised by the total weight of the known terms, picks at
/// random among the matches within (1 + epsilon) of the best, and copies that window's centre, unless the match
/// is worse than the error threshold, which grows by 10% after a pass that filled nothing. On the axes of
/// <see cref="EfrosLeungOptions.Tileable"/> the output is a torus: a neighbourhood that crosses the border continues
/// on the opposite side (only the indexing changes; the search is the same).
/// </summary>
internal sealed class NeighbourhoodGrower
{
    readonly Image _out;
    readonly byte[] _filled;
    readonly PatchSource _sample;
    readonly CandidateGrid _grid;
    readonly GaussianWindow _window;
    readonly EfrosLeungOptions _opt;
    readonly PatchSearch _search;
    readonly int[] _sourceCentre; // sample index of the pixel each output pixel copies (-1: none)
    readonly bool _wrapX, _wrapY;
    int _filledCount;

    public NeighbourhoodGrower(Image output, byte[] filled, PatchSource sample, CandidateGrid grid, EfrosLeungOptions opt)
    {
        _out = output; _filled = filled; _sample = sample; _grid = grid; _opt = opt;
        _wrapX = opt.Tileable.HasFlag(TileAxes.Horizontal);
        _wrapY = opt.Tileable.HasFlag(TileAxes.Vertical);
        _window = new GaussianWindow(opt.Window);
        _search = new PatchSearch(sample, opt.Engine, opt.MaxThreads);
        _sourceCentre = new int[filled.Length];
        Array.Fill(_sourceCentre, -1);
    }

    public int FilledCount => _filledCount;

    /// <summary>Marks output pixel (x, y) as filled from sample pixel (sx, sy) (used for the seed and known pixels).</summary>
    public void SetSource(int x, int y, int sx, int sy)
    {
        _sourceCentre[y * _out.Width + x] = sy * _sample.Width + sx;
    }

    public void Run(Random rng, IProgress<ProgressReport>? progress, CancellationToken ct, string stage)
    {
        int W = _out.Width, H = _out.Height, C = _out.Channels, r = _window.Radius;
        int total = W * H;
        _filledCount = 0;
        foreach (var f in _filled) _filledCount += f;
        float band = (float)(1 + _opt.Epsilon);
        double maxErr = _opt.MaxErrorThreshold;
        var dims = new SearchDim[_window.Positions.Length * C];
        var selected = new List<int>();
        var approxCandidates = new List<int>();
        var hints = new List<int>();
        var approxDist = new List<float>();
        var frontier = new List<(int Index, int Count)>();
        long lastReport = 0;
        int passes = 0;
        while (_filledCount < total)
        {
            ct.ThrowIfCancellationRequested();
            CollectFrontier(frontier, rng);
            if (frontier.Count == 0) throw new InvalidOperationException("nothing left to grow from");
            bool progressMade = false;
            passes++;
            foreach (var (p, _) in frontier)
            {
                ct.ThrowIfCancellationRequested();
                int x = p % W, y = p / W;
                // The template: known pixels of the window, heaviest first, channels innermost.
                int n = 0;
                float norm = 0;
                foreach (var (dy, dx, w) in _window.Positions)
                {
                    int yy = y + dy, xx = x + dx;
                    if (!Inside(ref yy, ref xx) || _filled[yy * W + xx] == 0) continue;
                    for (int c = 0; c < C; c++)
                    {
                        dims[n++] = new SearchDim(SearchDim.OffsetOf(_sample, c, dy + r, dx + r), _out[c, yy, xx], w);
                        norm += w;
                    }
                }
                int pick;
                float pickDist;
                if (!_opt.Approximate)
                {
                    CoherenceCandidates(x, y, hints, 8);
                    _search.Search(_grid, dims, n, norm, band, selected, hints);
                    if (selected.Count == 0) continue;
                    pick = selected[selected.Count == 1 ? 0 : rng.Next(selected.Count)];
                    pickDist = _search.Distances[pick];
                }
                else
                {
                    (pick, pickDist) = ApproximateMatch(x, y, dims, n, norm, band, rng, approxCandidates, approxDist, selected);
                    if (pick < 0) continue;
                }
                if (pickDist >= maxErr) continue;
                int o = _grid.SourceIndex(_sample, pick);
                int sx = o % _sample.Width + r, sy = o / _sample.Width + r;
                for (int c = 0; c < C; c++) _out[c, y, x] = _sample[c, sy, sx];
                _filled[p] = 1;
                SetSource(x, y, sx, sy);
                _filledCount++;
                progressMade = true;
                if (progress != null && _filledCount - lastReport >= 64)
                {
                    lastReport = _filledCount;
                    progress.Report(new ProgressReport(_filledCount, total, stage, new Dictionary<string, double> { ["threshold"] = maxErr }));
                }
            }
            if (!progressMade) maxErr *= _opt.ThresholdGrowth;
        }
        progress?.Report(new ProgressReport(total, total, stage, new Dictionary<string, double> { ["passes"] = passes }));
    }

    /// <summary>Unfilled pixels with a filled 8-neighbour, randomly permuted, then stably sorted by filled pixels in the window (most first).</summary>
    void CollectFrontier(List<(int Index, int Count)> frontier, Random rng)
    {
        int W = _out.Width, H = _out.Height, r = _window.Radius;
        frontier.Clear();
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                if (_filled[y * W + x] != 0) continue;
                bool touches = false;
                for (int dy = -1; dy <= 1 && !touches; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (Inside(ref yy, ref xx) && _filled[yy * W + xx] != 0) { touches = true; break; }
                    }
                if (!touches) continue;
                int count = 0;
                if (!_wrapX && !_wrapY)
                {
                    for (int yy = Math.Max(0, y - r); yy <= Math.Min(H - 1, y + r); yy++)
                        for (int xx = Math.Max(0, x - r); xx <= Math.Min(W - 1, x + r); xx++)
                            count += _filled[yy * W + xx];
                }
                else
                    for (int dy = -r; dy <= r; dy++)
                        for (int dx = -r; dx <= r; dx++)
                        {
                            int yy = y + dy, xx = x + dx;
                            if (Inside(ref yy, ref xx)) count += _filled[yy * W + xx];
                        }
                frontier.Add((y * W + x, count));
            }
        for (int i = frontier.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (frontier[i], frontier[j]) = (frontier[j], frontier[i]);
        }
        var sorted = frontier.OrderByDescending(f => f.Count).ToList(); // OrderBy is stable
        if (_opt.Order != GrowthOrder.MostKnown)
        {
            // From one side: only pixels whose neighbour on that side is known (all of the frontier when none is,
            // e.g. where the hole meets the picture's edge on that side).
            var (sx, sy) = _opt.Order switch
            {
                GrowthOrder.FromTop => (0, -1), GrowthOrder.FromBottom => (0, 1), GrowthOrder.FromLeft => (-1, 0), _ => (1, 0),
            };
            var leading = sorted.Where(f =>
            {
                int yy = f.Index / W + sy, xx = f.Index % W + sx;
                return Inside(ref yy, ref xx) && _filled[yy * W + xx] != 0;
            }).ToList();
            if (leading.Count > 0) sorted = leading;
        }
        frontier.Clear();
        frontier.AddRange(sorted);
    }

    /// <summary>
    /// Refinement: every pixel of <paramref name="pixels"/>, in random order, is matched again with its whole
    /// neighbourhood (all known now, its own value left out) and takes the new match's centre.
    /// </summary>
    public void Refine(IReadOnlyList<int> pixels, int passes, Random rng, IProgress<ProgressReport>? progress, CancellationToken ct, string stage)
    {
        int W = _out.Width, C = _out.Channels, r = _window.Radius;
        float band = (float)(1 + _opt.Epsilon);
        var dims = new SearchDim[_window.Positions.Length * C];
        var selected = new List<int>();
        var hints = new List<int>();
        var order = pixels.ToArray();
        long done = 0, total = (long)passes * order.Length;
        for (int pass = 0; pass < passes; pass++)
        {
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            foreach (int p in order)
            {
                ct.ThrowIfCancellationRequested();
                int x = p % W, y = p / W, n = 0;
                float norm = 0;
                foreach (var (dy, dx, w) in _window.Positions)
                {
                    if (dy == 0 && dx == 0) continue;
                    int yy = y + dy, xx = x + dx;
                    if (!Inside(ref yy, ref xx)) continue;
                    for (int c = 0; c < C; c++)
                    {
                        dims[n++] = new SearchDim(SearchDim.OffsetOf(_sample, c, dy + r, dx + r), _out[c, yy, xx], w);
                        norm += w;
                    }
                }
                CoherenceCandidates(x, y, hints, 8);
                _search.Search(_grid, dims, n, norm, band, selected, hints);
                if (selected.Count == 0) continue;
                int pick = selected[selected.Count == 1 ? 0 : rng.Next(selected.Count)];
                int o = _grid.SourceIndex(_sample, pick);
                int sx = o % _sample.Width + r, sy = o / _sample.Width + r;
                for (int c = 0; c < C; c++) _out[c, y, x] = _sample[c, sy, sx];
                SetSource(x, y, sx, sy);
                if (progress != null && ++done % 64 == 0) progress.Report(new ProgressReport(done, total, stage));
            }
        }
    }

    /// <summary>
    /// Ashikhmin's coherence candidates: each filled neighbour (nearest first, up to <paramref name="max"/>) copied
    /// some sample pixel; the same shift proposes a window for this pixel.
    /// </summary>
    void CoherenceCandidates(int x, int y, List<int> cands, int max)
    {
        int W = _out.Width, r = _window.Radius, sw = _sample.Width;
        cands.Clear();
        int seen = 0;
        foreach (var (dy, dx, _) in _window.Positions)
        {
            int yy = y + dy, xx = x + dx;
            if (!Inside(ref yy, ref xx) || _filled[yy * W + xx] == 0) continue;
            int s = _sourceCentre[yy * W + xx];
            if (s < 0) continue;
            if (++seen > max) break;
            int idx = _grid.IndexOf(s % sw - dx - r, s / sw - dy - r);
            if (idx >= 0 && !cands.Contains(idx)) cands.Add(idx);
        }
    }

    /// <summary>
    /// Whether output pixel (xx, yy) exists, wrapping it onto the output on the tileable axes (a torus there).
    /// </summary>
    bool Inside(ref int yy, ref int xx)
    {
        int W = _out.Width, H = _out.Height;
        if (_wrapX) xx = ((xx % W) + W) % W;
        if (_wrapY) yy = ((yy % H) + H) % H;
        return (uint)yy < (uint)H && (uint)xx < (uint)W;
    }

    (int Pick, float Dist) ApproximateMatch(int x, int y, SearchDim[] dims, int n, float norm, float band, Random rng,
        List<int> cands, List<float> dist, List<int> selected)
    {
        CoherenceCandidates(x, y, cands, int.MaxValue);
        for (int k = 0; k < _opt.RandomCandidates; k++)
        {
            int idx = rng.Next(_grid.Count);
            if (_grid.IsValid(idx) && !cands.Contains(idx)) cands.Add(idx);
        }
        if (cands.Count == 0) return (-1, float.PositiveInfinity);
        dist.Clear();
        foreach (var c in cands) dist.Add(_search.Distance(_grid, c, dims, n, norm));
        PatchSearch.Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dist), band, selected);
        int k2 = selected[selected.Count == 1 ? 0 : rng.Next(selected.Count)];
        return (cands[k2], dist[k2]);
    }
}
