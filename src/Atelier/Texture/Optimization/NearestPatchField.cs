using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Atelier.Texture.Optimization;

/// <summary>
/// For every patch of a target, the source patch that resembles it most, found by PatchMatch (Barnes et al.
/// 2009): good matches spread to neighbours (a neighbour's match shifted by one pixel), and a random search around
/// each match at halving radii finds better ones. The distance is the mean squared difference over the patch plus
/// an occurrence penalty (Kaspar et al. 2015) that makes overused parts of the source dearer.
/// <para>
/// Deterministic for any number of threads: the target is cut into fixed tiles; within a tile the sweep runs in
/// scan order over the tile's own fresh matches, and it reads matches outside the tile from a copy taken before the
/// sweep; each patch's random search draws from a generator seeded by the patch, the round and the sweep.
/// </para>
/// </summary>
internal sealed class NearestPatchField
{
    const int Tile = 32;

    readonly PatchCanvas _target, _source;
    readonly bool[]? _active;
    readonly bool[]? _sourceValid;
    readonly int[] _validSources;
    readonly int _threads;
    readonly int P, C;
    readonly float _scale;
    float[] _penalty;
    int[]? _snapX, _snapY;
    float[]? _weight;

    /// <summary>Per target patch origin (y * PatchesX + x): its match's origin in the source, and its distances.</summary>
    public int[] SourceX { get; }
    public int[] SourceY { get; }
    /// <summary>Mean squared difference to the match (the data term alone).</summary>
    public float[] Distance { get; }
    /// <summary>Distance plus the match's occurrence penalty: what the search minimises.</summary>
    public float[] Cost { get; }

    public int TargetPatchesX => _target.PatchesX;
    public int TargetPatchesY => _target.PatchesY;
    public int SourcePatchesX => _source.PatchesX;
    public int SourcePatchesY => _source.PatchesY;
    public PatchCanvas Target => _target;
    public PatchCanvas Source => _source;
    public bool IsActive(int i) => _active is null || _active[i];
    public int ActiveCount { get; }

    /// <param name="active">Target patch origins to match (null: all of them).</param>
    /// <param name="sourceValid">Source patch origins that may be matched (null: all of them).</param>
    public NearestPatchField(PatchCanvas target, PatchCanvas source, bool[]? active, bool[]? sourceValid, int threads)
    {
        if (source.WrapX || source.WrapY) throw new ArgumentException("the source does not wrap", nameof(source));
        _target = target; _source = source; _active = active; _sourceValid = sourceValid;
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
        P = target.Patch; C = target.Channels;
        _scale = 1f / (P * P * C);
        int n = target.PatchesX * target.PatchesY, m = source.PatchesX * source.PatchesY;
        SourceX = new int[n]; SourceY = new int[n]; Distance = new float[n]; Cost = new float[n];
        _penalty = new float[m];
        _validSources = sourceValid is null ? Enumerable.Range(0, m).ToArray() : Enumerable.Range(0, m).Where(s => sourceValid[s]).ToArray();
        if (_validSources.Length == 0) throw new InvalidOperationException("no source patch to match");
        ActiveCount = active is null ? n : active.Count(a => a);
        VotedChannels = C;
    }

    bool Valid(int sx, int sy) => (uint)sx < (uint)_source.PatchesX && (uint)sy < (uint)_source.PatchesY
        && (_sourceValid is null || _sourceValid[sy * _source.PatchesX + sx]);

    /// <summary>
    /// Random matches, coherent in <paramref name="block"/> x <paramref name="block"/> blocks: each block of target
    /// patches copies one random stretch of the source, so the first vote gives a patchwork of sharp pieces, not the
    /// grey average of unrelated patches (from which texture optimisation only washes out). Block 1: each patch alone.
    /// </summary>
    public void RandomInit(ulong seed, int block = 1)
    {
        int W = TargetPatchesX, H = TargetPatchesY;
        for (int by = 0; by < H; by += block)
            for (int bx = 0; bx < W; bx += block)
            {
                var rng = new SplitMix(Mix(seed, (ulong)(by * W + bx)));
                int s = _validSources[rng.Next(_validSources.Length)];
                int ox = s % _source.PatchesX, oy = s / _source.PatchesX;
                for (int y = by; y < Math.Min(by + block, H); y++)
                    for (int x = bx; x < Math.Min(bx + block, W); x++)
                    {
                        int i = y * W + x;
                        if (!IsActive(i)) continue;
                        int sx = ox + x - bx, sy = oy + y - by;
                        if (!Valid(sx, sy)) { sx = ox; sy = oy; }
                        SourceX[i] = sx; SourceY[i] = sy;
                    }
            }
    }

    /// <summary>
    /// Starts from a field one pyramid level coarser: a patch takes its parent's match, doubled and shifted by its
    /// position within the parent; where that is not a valid patch here (or the parent had none), a random one.
    /// </summary>
    public void UpsampleFrom(NearestPatchField coarse, ulong seed)
    {
        var rng = new SplitMix(seed);
        int px = TargetPatchesX, cx = coarse.TargetPatchesX, cy = coarse.TargetPatchesY;
        for (int y = 0; y < TargetPatchesY; y++)
            for (int x = 0; x < px; x++)
            {
                int i = y * px + x;
                if (!IsActive(i)) continue;
                // Past the coarse field's last patch (a fine level has a few more origins than twice the coarse one),
                // the last parent serves, shifted by the whole distance: its (x & 1) alone would put these patches a
                // few pixels out of step with their neighbours, a seam along the right and bottom edges.
                int parentX = Math.Min(x / 2, cx - 1), parentY = Math.Min(y / 2, cy - 1);
                int j = parentY * cx + parentX;
                int sx = 2 * coarse.SourceX[j] + (x - 2 * parentX), sy = 2 * coarse.SourceY[j] + (y - 2 * parentY);
                sx = Math.Min(sx, _source.PatchesX - 1); sy = Math.Min(sy, _source.PatchesY - 1);
                if (!coarse.IsActive(j) || !Valid(sx, sy))
                {
                    int s = _validSources[rng.Next(_validSources.Length)];
                    sx = s % _source.PatchesX; sy = s / _source.PatchesX;
                }
                SourceX[i] = sx; SourceY[i] = sy;
            }
    }

    /// <summary>
    /// One round of search: the distances of the current matches against the target as it is now, the occurrence
    /// penalty from how often each part of the source is used, then <paramref name="sweeps"/> PatchMatch sweeps.
    /// </summary>
    public void Search(int sweeps, double occurrence, ulong seed, CancellationToken ct)
    {
        int n = SourceX.Length;
        Parallel.For(0, TargetPatchesY, Options(ct), y =>
        {
            for (int x = 0; x < TargetPatchesX; x++)
            {
                int i = y * TargetPatchesX + x;
                if (IsActive(i)) Distance[i] = Ssd(x, y, SourceX[i], SourceY[i], float.MaxValue) * _scale;
            }
        });
        ComputePenalty(occurrence);
        for (int i = 0; i < n; i++) if (IsActive(i)) Cost[i] = Distance[i] + _penalty[SourceY[i] * _source.PatchesX + SourceX[i]];

        // Scratch kept with the field: every round would otherwise allocate these afresh.
        var snapX = _snapX ??= new int[n]; var snapY = _snapY ??= new int[n];
        int tilesX = (TargetPatchesX + Tile - 1) / Tile, tilesY = (TargetPatchesY + Tile - 1) / Tile;
        for (int sweep = 0; sweep < sweeps; sweep++)
        {
            ct.ThrowIfCancellationRequested();
            Array.Copy(SourceX, snapX, n); Array.Copy(SourceY, snapY, n);
            bool forward = sweep % 2 == 0;
            ulong sweepSeed = Mix(seed, (ulong)sweep);
            Parallel.For(0, tilesX * tilesY, Options(ct), t => SweepTile(t % tilesX, t / tilesX, forward, snapX, snapY, sweepSeed));
        }
    }

    void SweepTile(int tx, int ty, bool forward, int[] snapX, int[] snapY, ulong seed)
    {
        int W = TargetPatchesX, H = TargetPatchesY;
        int x0 = tx * Tile, y0 = ty * Tile, x1 = Math.Min(x0 + Tile, W), y1 = Math.Min(y0 + Tile, H);
        int d = forward ? -1 : 1; // where the neighbour already visited lies
        int maxRadius = Math.Max(_source.PatchesX, _source.PatchesY);
        for (int yy = 0; yy < y1 - y0; yy++)
        {
            int y = forward ? y0 + yy : y1 - 1 - yy;
            for (int xx = 0; xx < x1 - x0; xx++)
            {
                int x = forward ? x0 + xx : x1 - 1 - xx;
                int i = y * W + x;
                if (!IsActive(i)) continue;
                int bx = SourceX[i], by = SourceY[i];
                float best = Cost[i], bestData = Distance[i];

                // Propagation: the visited neighbours' matches, shifted by one pixel towards this patch.
                for (int axis = 0; axis < 2; axis++)
                {
                    int nx = axis == 0 ? x + d : x, ny = axis == 0 ? y : y + d;
                    if (_target.WrapX) nx = (nx + W) % W; else if ((uint)nx >= (uint)W) continue;
                    if (_target.WrapY) ny = (ny + H) % H; else if ((uint)ny >= (uint)H) continue;
                    int j = ny * W + nx;
                    if (!IsActive(j)) continue;
                    bool inTile = nx >= x0 && nx < x1 && ny >= y0 && ny < y1;
                    int cx = (inTile ? SourceX[j] : snapX[j]) - (axis == 0 ? d : 0);
                    int cy = (inTile ? SourceY[j] : snapY[j]) - (axis == 0 ? 0 : d);
                    Try(x, y, cx, cy, ref bx, ref by, ref best, ref bestData);
                }

                // Random search around the best match, the radius halving down to one pixel.
                var rng = new SplitMix(Mix(seed, (ulong)i));
                for (int r = maxRadius; r >= 1; r /= 2)
                {
                    int cx = bx + rng.Next(2 * r + 1) - r, cy = by + rng.Next(2 * r + 1) - r;
                    Try(x, y, cx, cy, ref bx, ref by, ref best, ref bestData);
                }
                SourceX[i] = bx; SourceY[i] = by; Cost[i] = best; Distance[i] = bestData;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Try(int x, int y, int cx, int cy, ref int bx, ref int by, ref float best, ref float bestData)
    {
        if ((cx == bx && cy == by) || !Valid(cx, cy)) return;
        float penalty = _penalty[cy * _source.PatchesX + cx];
        float bound = (best - penalty) / _scale;
        if (bound <= 0) return;
        float data = Ssd(x, y, cx, cy, bound) * _scale;
        if (data + penalty < best) { best = data + penalty; bestData = data; bx = cx; by = cy; }
    }

    /// <summary>Sum of squared differences between target patch (x, y) and source patch (sx, sy); stops once past <paramref name="bound"/>.</summary>
    float Ssd(int x, int y, int sx, int sy, float bound)
    {
        var t = _target.Data; var s = _source.Data;
        int row = P * C, tStride = _target.StoredWidth * C, sStride = _source.StoredWidth * C;
        int to = _target.Offset(x, y), so = _source.Offset(sx, sy);
        int V = Vector<float>.Count;
        float sum = 0;
        for (int dy = 0; dy < P; dy++, to += tStride, so += sStride)
        {
            var acc = Vector<float>.Zero;
            int k = 0;
            for (; k + V <= row; k += V)
            {
                var diff = new Vector<float>(t, to + k) - new Vector<float>(s, so + k);
                acc += diff * diff;
            }
            float rowSum = Vector.Sum(acc);
            for (; k < row; k++) { float e = t[to + k] - s[so + k]; rowSum += e * e; }
            sum += rowSum;
            if (sum > bound) return sum;
        }
        return sum;
    }

    /// <summary>
    /// Kaspar et al.'s occurrence term: how many active target patches cover each source pixel, averaged over a
    /// candidate patch and divided by what an even spread would give, times <paramref name="weight"/>.
    /// </summary>
    void ComputePenalty(double weight)
    {
        if (weight <= 0) { Array.Clear(_penalty); return; }
        int sw = _source.Width, sh = _source.Height, spx = _source.PatchesX, spy = _source.PatchesY;
        // Each match adds one to a P x P block: a 2-D difference array, then prefix sums, gives the counts.
        var diff = new int[(sw + 1) * (sh + 1)];
        for (int i = 0; i < SourceX.Length; i++)
        {
            if (!IsActive(i)) continue;
            int x0 = SourceX[i], y0 = SourceY[i], x1 = x0 + P, y1 = y0 + P;
            diff[y0 * (sw + 1) + x0]++; diff[y0 * (sw + 1) + x1]--; diff[y1 * (sw + 1) + x0]--; diff[y1 * (sw + 1) + x1]++;
        }
        var integral = new double[(sw + 1) * (sh + 1)]; // integral of the counts, for patch means
        var row = new int[sw + 1];
        for (int y = 0; y < sh; y++)
        {
            int running = 0;
            double line = 0;
            for (int x = 0; x < sw; x++)
            {
                row[x] += diff[y * (sw + 1) + x];
                running += row[x];
                line += running;
                integral[(y + 1) * (sw + 1) + x + 1] = integral[y * (sw + 1) + x + 1] + line;
            }
        }
        double even = (double)ActiveCount * P * P / Math.Max(1, _validSources.Length);
        double factor = weight / (even * P * P);
        for (int sy = 0; sy < spy; sy++)
            for (int sx = 0; sx < spx; sx++)
            {
                double box = integral[(sy + P) * (sw + 1) + sx + P] - integral[sy * (sw + 1) + sx + P]
                    - integral[(sy + P) * (sw + 1) + sx] + integral[sy * (sw + 1) + sx];
                _penalty[sy * spx + sx] = (float)(box * factor);
            }
    }

    /// <summary>
    /// The vote: each target pixel not <paramref name="fixedPixels"/> becomes the weighted mean of what the patches
    /// covering it say it should be (the matching pixel of each patch's source match), with Kaspar et al.'s robust
    /// weights distance^((r-2)/2) so a poorly matched patch counts less. Gathered per pixel, in a fixed order.
    /// </summary>
    /// <summary>
    /// How many of the leading channels a vote writes (all by default). Guided synthesis keeps its guide in the
    /// last channel: matched on, never voted.
    /// </summary>
    public int VotedChannels { get; set; }

    /// <summary>Per target patch, a factor on its vote (null: all alike); completion weighs by nearness to the hole's border.</summary>
    public float[]? Confidence { get; set; }

    public void Vote(double robustness, bool[]? fixedPixels, CancellationToken ct)
    {
        int W = _target.Width, H = _target.Height, PX = TargetPatchesX, PY = TargetPatchesY;
        var weight = _weight ??= new float[SourceX.Length];
        float exponent = (float)((robustness - 2) / 2);
        for (int i = 0; i < weight.Length; i++)
            weight[i] = IsActive(i) ? (exponent == 0 ? 1f : MathF.Pow(Distance[i] + 1e-4f, exponent)) * (Confidence is null ? 1f : Confidence[i]) : 0f;
        var t = _target.Data; var s = _source.Data;
        Parallel.For(0, H, Options(ct), y =>
        {
            Span<float> acc = stackalloc float[C];
            for (int x = 0; x < W; x++)
            {
                if (fixedPixels is not null && fixedPixels[y * W + x]) continue;
                acc.Clear();
                float total = 0;
                for (int dy = 0; dy < P; dy++)
                {
                    int oy = y - dy;
                    if (_target.WrapY) { if (oy < 0) oy += H; }
                    else if ((uint)oy >= (uint)PY) continue;
                    for (int dx = 0; dx < P; dx++)
                    {
                        int ox = x - dx;
                        if (_target.WrapX) { if (ox < 0) ox += W; }
                        else if ((uint)ox >= (uint)PX) continue;
                        int i = oy * PX + ox;
                        float w = weight[i];
                        if (w == 0) continue;
                        int so = _source.Offset(SourceX[i] + dx, SourceY[i] + dy);
                        for (int c = 0; c < C; c++) acc[c] += w * s[so + c];
                        total += w;
                    }
                }
                if (total <= 0) continue;
                int to = _target.Offset(x, y);
                for (int c = 0; c < VotedChannels; c++) t[to + c] = acc[c] / total;
            }
        });
        _target.RefreshWrap();
    }

    /// <summary>How unevenly the source is used: the largest number of active patches sharing one source patch, over the mean.</summary>
    public (int MostUsed, double MeanUse, double DistinctShare) Usage()
    {
        var counts = new Dictionary<int, int>();
        for (int i = 0; i < SourceX.Length; i++)
            if (IsActive(i))
            {
                int key = SourceY[i] * _source.PatchesX + SourceX[i];
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        return (counts.Values.Max(), counts.Values.Average(), counts.Count / (double)ActiveCount);
    }

    ParallelOptions Options(CancellationToken ct) => new() { MaxDegreeOfParallelism = _threads, CancellationToken = ct };

    internal static ulong Mix(ulong a, ulong b) => SplitMix.Scramble(a ^ (b * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL));
}

/// <summary>SplitMix64: a tiny generator whose state is one number, so every patch can have its own.</summary>
[StructLayout(LayoutKind.Auto)]
internal struct SplitMix(ulong seed)
{
    ulong _state = seed;

    public static ulong Scramble(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong() => Scramble(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n) => (int)((NextULong() >> 32) * (ulong)n >> 32);
}
