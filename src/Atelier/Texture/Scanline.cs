using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture;

/// <summary>
/// Scanline synthesis in the manner of Wei and Levoy ("Fast Texture Synthesis using Tree-structured Vector
/// Quantization", SIGGRAPH 2000), with an exhaustive exact search in place of TSVQ: the output starts as noise
/// (random sample pixels, so it has the sample's histogram) and is visited in scanline order; each pixel's causal,
/// L-shaped neighbourhood (the rows above and the pixels to the left inside a w x w window) is compared by plain L2
/// with every L-shaped neighbourhood lying inside the sample, and the best match's pixel is copied. The output is
/// toroidal (neighbourhoods wrap around its borders), but the causal half alone never looks across the wrap from the
/// last columns and rows, so it does not tile by itself; on the axes of <see cref="ScanlineOptions.Tileable"/> the
/// pixels next to the wrap also compare the first columns (rows) already made across it, so it does. With several levels, a Gaussian pyramid is
/// synthesised coarse to fine and each neighbourhood also holds the full, already synthesised square around the
/// parent pixel one level up, so large structures survive.
/// </summary>
public static class Scanline
{
    public static Image Synthesize(Image sample, int width, int height, ScanlineOptions? options = null, int? seed = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default) =>
        Synthesize(sample, width, height, options, TextureChecks.RandomFor(seed), progress, ct);

    public static Image Synthesize(Image sample, int width, int height, ScanlineOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var opt = options ?? new ScanlineOptions();
        Validate(sample, width, height, opt);
        int L = opt.Levels;
        var samples = GaussianPyramid.Build(sample, L);
        var outputs = new Image[L];
        long total = 0, done = 0;
        for (int l = 0; l < L; l++)
        {
            var (w, h) = GaussianPyramid.LevelSize(width, height, l);
            outputs[l] = new Image(w, h, sample.Channels);
            total += (long)w * h;
        }
        // Wei-Levoy start every level from noise; coarse to fine, each level conditioned on the one above.
        for (int l = L - 1; l >= 0; l--)
        {
            var stage = L == 1 ? "scanline" : $"scanline level {l + 1}/{L}";
            SynthesizeLevel(samples[l], l + 1 < L ? samples[l + 1] : null, outputs[l], l + 1 < L ? outputs[l + 1] : null,
                opt, random, progress, ct, stage, ref done, total);
        }
        return outputs[0];
    }

    /// <summary>The causal half of a w x w window: (dy, dx) with dy &lt; 0, or dy = 0 and dx &lt; 0; nearest first.</summary>
    internal static (int Dy, int Dx)[] CausalPositions(int window)
    {
        int r = window / 2;
        var list = new List<(int Dy, int Dx)>();
        for (int dy = -r; dy <= 0; dy++)
            for (int dx = -r; dx <= r; dx++)
                if (dy < 0 || dx < 0) list.Add((dy, dx));
        return list.Select((p, i) => (p, i)).OrderBy(t => t.p.Dy * t.p.Dy + t.p.Dx * t.p.Dx).ThenBy(t => t.i).Select(t => t.p).ToArray();
    }

    internal static (int Dy, int Dx)[] SquarePositions(int window)
    {
        int r = window / 2;
        var list = new List<(int Dy, int Dx)>();
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++) list.Add((dy, dx));
        return list.Select((p, i) => (p, i)).OrderBy(t => t.p.Dy * t.p.Dy + t.p.Dx * t.p.Dx).ThenBy(t => t.i).Select(t => t.p).ToArray();
    }

    static void SynthesizeLevel(Image sample, Image? sampleParent, Image output, Image? outputParent, ScanlineOptions opt,
        Random rng, IProgress<ProgressReport>? progress, CancellationToken ct, string stage, ref long done, long total)
    {
        int C = sample.Channels, w = opt.Window, r = w / 2;
        int Ws = sample.Width, Hs = sample.Height, Wo = output.Width, Ho = output.Height;
        var causal = CausalPositions(w);
        // The rest of the square (nearest first): on a tileable axis, the positions across the wrap that are made already.
        var ahead = SquarePositions(w).Where(p => p.Dy > 0 || (p.Dy == 0 && p.Dx > 0)).ToArray();
        bool wrapX = opt.Tileable.HasFlag(TileAxes.Horizontal), wrapY = opt.Tileable.HasFlag(TileAxes.Vertical);
        var parent = sampleParent != null ? SquarePositions(opt.EffectiveParentWindow) : [];

        // Sample planes: the colour channels, then for each parent position and channel the parent-level value
        // seen from each pixel (mirrored at the borders), so every term is a fixed offset from the candidate origin.
        var src = PatchSource.FromImage(sample, parent.Length * C);
        if (sampleParent != null)
            for (int k = 0; k < parent.Length; k++)
                for (int c = 0; c < C; c++)
                {
                    var plane = src.Plane(C + k * C + c);
                    for (int y = 0; y < Hs; y++)
                        for (int x = 0; x < Ws; x++)
                            plane[y * Ws + x] = sampleParent[c,
                                GaussianPyramid.Mirror(y / 2 + parent[k].Dy, sampleParent.Height),
                                GaussianPyramid.Mirror(x / 2 + parent[k].Dx, sampleParent.Width)];
                }
        // Candidate origins (window top-left) whose causal half lies inside the sample; the same columns, fewer rows,
        // whose whole square does (for the last rows of a vertically tileable output, which compare rows below).
        var grid = new CandidateGrid(0, 0, Ws - w + 1, Hs - r);
        var squareGrid = new CandidateGrid(0, 0, Ws - w + 1, Hs - w + 1);
        var search = new PatchSearch(src, opt.Engine, opt.MaxThreads);

        // Noise with the sample's histogram.
        for (int i = 0; i < Wo * Ho; i++)
        {
            int s = rng.Next(Ws * Hs);
            for (int c = 0; c < C; c++) output.Data[c * Wo * Ho + i] = sample.Data[c * Ws * Hs + s];
        }

        int nd = (causal.Length + ahead.Length + parent.Length) * C;
        var dims = new SearchDim[nd];
        var causalOffsets = new int[causal.Length * C];
        for (int k = 0; k < causal.Length; k++)
            for (int c = 0; c < C; c++) causalOffsets[k * C + c] = SearchDim.OffsetOf(src, c, causal[k].Dy + r, causal[k].Dx + r);
        var selected = new List<int>();
        // Which sample pixel each output pixel of the last r + 1 rows copied (only causal neighbours are looked up,
        // so memory stays a few rows, not an output-sized map).
        var ring = new int[(r + 1) * Wo];
        // A tileable output keeps every pixel's source: the pixels next to the wrap look at both sides of it.
        var made = new int[wrapX || wrapY ? Wo * Ho : 0];
        var across = new List<(int Dy, int Dx)>();
        var cands = new List<int>();

        // The parent level's window around (x, y), after the n terms already in dims.
        int AppendParent(int x, int y, int n)
        {
            if (outputParent == null) return n;
            for (int k = 0; k < parent.Length; k++)
            {
                int py = Wrap(y / 2 + parent[k].Dy, outputParent.Height), px = Wrap(x / 2 + parent[k].Dx, outputParent.Width);
                for (int c = 0; c < C; c++)
                    dims[n++] = new SearchDim(SearchDim.OffsetOf(src, C + k * C + c, r, r), outputParent[c, py, px], 1f);
            }
            return n;
        }

        // The best candidate of grid for the n terms (exact search, or the approximate pick), copied to (x, y);
        // returns the sample pixel it copied (y * Ws + x).
        int PickAndCopy(CandidateGrid g, int n, int x, int y)
        {
            int pick;
            if (!opt.Approximate)
            {
                search.Search(g, dims, n, 1f, 1f, selected, cands);
                pick = selected[0];
            }
            else pick = ApproximatePick(g, search, dims, n, opt.RandomCandidates, rng, cands);
            int o = g.SourceIndex(src, pick);
            int sx = o % Ws + r, sy = o / Ws + r;
            for (int c = 0; c < C; c++) output[c, y, x] = sample[c, sy, sx];
            return sy * Ws + sx;
        }

        for (int y = 0; y < Ho; y++)
        {
            ct.ThrowIfCancellationRequested();
            for (int x = 0; x < Wo; x++)
            {
                int n = 0;
                foreach (var (dy, dx) in causal)
                {
                    int yy = Wrap(y + dy, Ho), xx = Wrap(x + dx, Wo);
                    for (int c = 0; c < C; c++)
                    {
                        dims[n] = new SearchDim(causalOffsets[n], output[c, yy, xx], 1f);
                        n++;
                    }
                }
                across.Clear();
                bool below = false;
                if (wrapX || wrapY)
                    foreach (var (dy, dx) in ahead)
                    {
                        if (!((wrapX && dy == 0 && x + dx >= Wo) || (wrapY && dy > 0 && y + dy >= Ho))) continue;
                        int yy = Wrap(y + dy, Ho), xx = Wrap(x + dx, Wo);
                        if (yy > y || (yy == y && xx >= x)) continue; // not made yet (an output smaller than the window)
                        for (int c = 0; c < C; c++)
                            dims[n++] = new SearchDim(SearchDim.OffsetOf(src, c, dy + r, dx + r), output[c, yy, xx], 1f);
                        across.Add((dy, dx));
                        below |= dy > 0;
                    }
                var g = below ? squareGrid : grid;
                n = AppendParent(x, y, n);
                CoherenceCandidates(x, y, Wo, Ws, r, causal, ring, g, cands);
                if (across.Count > 0) AcrossCandidates(x, y, Wo, Ho, Ws, r, across, made, g, cands);
                int copied = PickAndCopy(g, n, x, y);
                ring[y % (r + 1) * Wo + x] = copied;
                if (made.Length > 0) made[y * Wo + x] = copied;
            }
            done += Wo;
            progress?.Report(new ProgressReport(done, total, stage));
        }
        if (made.Length == 0) return;

        // Rejoin: the first rows (columns) grew out of noise, so they only met the last ones from one side. A second
        // pass over the band of r rows (columns) either side of each tileable wrap, in scanline order across it,
        // compares each pixel's full square (everything is made now) and copies the best match again.
        var square = SquarePositions(w).Where(p => p != (0, 0)).ToArray();
        for (int pass = 0; pass < RejoinPasses; pass++)
        for (int i = 0; i < Ho; i++)
        {
            ct.ThrowIfCancellationRequested();
            int y = wrapY ? Wrap(Ho - r + i, Ho) : i;
            for (int j = 0; j < Wo; j++)
            {
                int x = wrapX ? Wrap(Wo - r + j, Wo) : j;
                bool inBand = (wrapY && (y < r || y >= Ho - r)) || (wrapX && (x < r || x >= Wo - r));
                if (!inBand) continue;
                int n = 0;
                cands.Clear();
                foreach (var (dy, dx) in square)
                {
                    int yy = Wrap(y + dy, Ho), xx = Wrap(x + dx, Wo);
                    for (int c = 0; c < C; c++)
                        dims[n++] = new SearchDim(SearchDim.OffsetOf(src, c, dy + r, dx + r), output[c, yy, xx], 1f);
                    int s = made[yy * Wo + xx];
                    int idx = squareGrid.IndexOf(s % Ws - dx - r, s / Ws - dy - r);
                    if (idx >= 0 && !cands.Contains(idx)) cands.Add(idx);
                }
                n = AppendParent(x, y, n);
                made[y * Wo + x] = PickAndCopy(squareGrid, n, x, y);
            }
        }
    }

    /// <summary>
    /// Ashikhmin's coherence candidates: each synthesised causal neighbour copied some sample pixel; the same shift
    /// proposes a match for this pixel. Neighbours still holding noise (wrapped past the row's end or above row 0)
    /// propose nothing.
    /// </summary>
    static void CoherenceCandidates(int x, int y, int Wo, int Ws, int r, (int Dy, int Dx)[] causal, int[] ring,
        CandidateGrid grid, List<int> cands)
    {
        cands.Clear();
        foreach (var (dy, dx) in causal)
        {
            if (y + dy < 0 || (dy == 0 && x + dx < 0)) continue;
            int s = ring[(y + dy) % (r + 1) * Wo + Wrap(x + dx, Wo)];
            int idx = grid.IndexOf(s % Ws - dx - r, s / Ws - dy - r);
            if (idx >= 0 && !cands.Contains(idx)) cands.Add(idx);
        }
    }

    /// <summary>The same for the made pixels across a tileable wrap: the start of this row, or the first rows.</summary>
    static void AcrossCandidates(int x, int y, int Wo, int Ho, int Ws, int r, List<(int Dy, int Dx)> across, int[] made,
        CandidateGrid grid, List<int> cands)
    {
        foreach (var (dy, dx) in across)
        {
            int yy = Wrap(y + dy, Ho), xx = Wrap(x + dx, Wo);
            int s = made[yy * Wo + xx];
            int idx = grid.IndexOf(s % Ws - dx - r, s / Ws - dy - r);
            if (idx >= 0 && !cands.Contains(idx)) cands.Add(idx);
        }
    }

    static int ApproximatePick(CandidateGrid grid, PatchSearch search, SearchDim[] dims, int n, int randomCount, Random rng, List<int> cands)
    {
        // Random candidates keep it from locking into one copy; at least one, so a pixel always gets a match.
        for (int k = 0; k < Math.Max(1, randomCount); k++)
        {
            int idx = rng.Next(grid.Count);
            if (!cands.Contains(idx)) cands.Add(idx);
        }
        int best = -1;
        float bestD = float.PositiveInfinity;
        foreach (var c in cands)
        {
            float d = search.Distance(grid, c, dims, n, 1f);
            if (d < bestD || (d == bestD && c < best)) { bestD = d; best = c; }
        }
        return best;
    }

    /// <summary>Passes over the band either side of a tileable wrap (a second one settles what the first changed).</summary>
    const int RejoinPasses = 2;

    static int Wrap(int i, int n) => ((i % n) + n) % n;

    internal static void Validate(Image sample, int width, int height, ScanlineOptions opt)
    {
        TextureChecks.OutputSize(width, height);
        TextureChecks.OddWindow(opt.Window);
        if (opt.Levels < 1 || opt.Levels > 8) throw new AtelierUsageException($"{{Levels}} {opt.Levels}: must be between 1 and 8");
        if (opt.ParentWindow != 0) TextureChecks.OddWindow(opt.ParentWindow, nameof(opt.ParentWindow));
        TextureChecks.SampleAtLeast(sample, opt.Window, $"{opt.Window}x{opt.Window} window", nameof(opt.Window));
        var (ws, hs) = GaussianPyramid.LevelSize(sample.Width, sample.Height, opt.Levels - 1);
        if (ws < opt.Window || hs < opt.Window)
            throw new AtelierUsageException($"{{Levels}} {opt.Levels}: at the coarsest level the sample is {ws}x{hs}, smaller than the {opt.Window}x{opt.Window} window; use fewer levels or a smaller window");
    }
}
