using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Atelier.Texture;

/// <summary>
/// Exhaustive neighbourhood search: for every candidate origin, d = sum_k w_k (t_k - v_k)^2 / norm, summed in the
/// order of the terms. A selection keeps every candidate with d &lt;= dmin * band (band = 1 + epsilon; 1 for a plain
/// nearest neighbour, where ties keep the lowest index).
/// <para>
/// The fast engine gets exactly the reference's numbers: each lane sums the same terms in the same order with the
/// same (non-fused) float operations, and a group of candidates is abandoned only when every partial sum already
/// exceeds (best so far) * band. Partial sums only grow and the best so far only shrinks, so an abandoned candidate
/// could never have been selected; which candidates get abandoned depends on thread timing, the selection does not.
/// </para>
/// </summary>
internal sealed class PatchSearch
{
    readonly PatchSource _src;
    readonly SearchEngine _engine;
    readonly int _maxThreads;
    float[] _dist = [];

    /// <summary>Searches below this many terms x candidates run on one thread (with pruning they take microseconds).</summary>
    const int CheckEvery = 8;
    const long ParallelMinimum = 1 << 20;

    public PatchSearch(PatchSource source, SearchEngine engine, int maxThreads = 0)
    {
        _src = source; _engine = engine;
        _maxThreads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
    }

    public PatchSource Source => _src;

    /// <summary>Distances of the last <see cref="Search"/> (+infinity for abandoned or excluded candidates).</summary>
    public ReadOnlySpan<float> Distances => _dist;

    /// <summary>
    /// Scores every candidate of <paramref name="grid"/> and appends to <paramref name="selected"/> (cleared first)
    /// the indices with d &lt;= dmin * band, in increasing order. Returns dmin (+infinity when no candidate is valid).
    /// </summary>
    /// <param name="hints">
    /// Candidates likely to be good (e.g. continuations of the neighbours' sources). The fast engine scores them
    /// first so that pruning is effective from the start; they change nothing else. The reference ignores them.
    /// </param>
    public float Search(CandidateGrid grid, SearchDim[] dims, int dimCount, float norm, float band, List<int> selected,
        List<int>? hints = null)
    {
        if (_dist.Length < grid.Count) _dist = new float[grid.Count];
        if (_engine == SearchEngine.Reference) ScoreReference(grid, dims, dimCount, norm);
        else
        {
            float bound = float.PositiveInfinity;
            if (hints != null)
                foreach (var h in hints)
                    if (grid.IsValid(h)) bound = Math.Min(bound, Distance(grid, h, dims, dimCount, norm));
            ScoreFast(grid, dims, dimCount, norm, band, bound);
        }
        return Select(_dist.AsSpan(0, grid.Count), band, selected);
    }

    /// <summary>The distance of one candidate (same arithmetic as the search), for searches over a few candidates.</summary>
    public float Distance(CandidateGrid grid, int index, SearchDim[] dims, int dimCount, float norm)
    {
        var data = _src.Data;
        int b = grid.SourceIndex(_src, index);
        float acc = 0;
        for (int k = 0; k < dimCount; k++)
        {
            var d = dims[k];
            float diff = d.Target - data[b + d.Offset];
            acc += diff * diff * d.Weight;
        }
        return acc / norm;
    }

    internal static float Select(ReadOnlySpan<float> dist, float band, List<int> selected)
    {
        selected.Clear();
        float min = float.PositiveInfinity;
        foreach (var d in dist) if (d < min) min = d;
        if (float.IsPositiveInfinity(min)) return min;
        float bound = min * band;
        for (int i = 0; i < dist.Length; i++) if (dist[i] <= bound) selected.Add(i);
        return min;
    }

    void ScoreReference(CandidateGrid grid, SearchDim[] dims, int dimCount, float norm)
    {
        for (int i = 0; i < grid.Count; i++)
            _dist[i] = grid.IsValid(i) ? Distance(grid, i, dims, dimCount, norm) : float.PositiveInfinity;
    }

    sealed class SharedBest { public float Value = float.PositiveInfinity; }

    void ScoreFast(CandidateGrid grid, SearchDim[] dims, int dimCount, float norm, float band, float initialBest)
    {
        // initialBest is the exact distance of a real candidate, so it bounds the minimum from above.
        var best = new SharedBest { Value = initialBest };
        long work = (long)grid.Count * Math.Max(1, dimCount);
        if (work < ParallelMinimum || _maxThreads == 1 || grid.Rows == 1)
        {
            for (int r = 0; r < grid.Rows; r++) ScoreRow(grid, r, dims, dimCount, norm, band, best);
        }
        else
        {
            var opts = new ParallelOptions { MaxDegreeOfParallelism = _maxThreads };
            Parallel.For(0, grid.Rows, opts, r => ScoreRow(grid, r, dims, dimCount, norm, band, best));
        }
    }

    void ScoreRow(CandidateGrid grid, int row, SearchDim[] dims, int dimCount, float norm, float band, SharedBest best)
    {
        int lanes = Vector<float>.Count;
        ref float data = ref MemoryMarshal.GetArrayDataReference(_src.Data);
        var dist = _dist;
        var normV = new Vector<float>(norm);
        int rowBase = (grid.Y0 + row) * _src.Width + grid.X0;
        int first = row * grid.Cols;
        Span<float> lane = stackalloc float[lanes];
        for (int c0 = 0; c0 < grid.Cols; c0 += lanes)
        {
            int n = Math.Min(lanes, grid.Cols - c0);
            // Lanes past the row's end or excluded start at +infinity: they never block abandoning the group.
            Vector<float> acc;
            if (n == lanes && grid.Valid == null) acc = Vector<float>.Zero;
            else
            {
                for (int j = 0; j < lanes; j++)
                    lane[j] = j < n && grid.IsValid(first + c0 + j) ? 0f : float.PositiveInfinity;
                acc = new Vector<float>(lane);
            }
            int b = rowBase + c0;
            bool abandoned = false;
            for (int k = 0; k < dimCount; k++)
            {
                var d = dims[k];
                var v = Vector.LoadUnsafe(ref data, (nuint)(b + d.Offset));
                var diff = new Vector<float>(d.Target) - v;
                acc += diff * diff * new Vector<float>(d.Weight);
                if ((k & (CheckEvery - 1)) == CheckEvery / 2 - 1) // after 4, 12, 20... terms
                {
                    float bound = Volatile.Read(ref best.Value) * band;
                    if (Vector.GreaterThanAll(acc / normV, new Vector<float>(bound))) { abandoned = true; break; }
                }
            }
            if (abandoned)
            {
                for (int j = 0; j < n; j++) dist[first + c0 + j] = float.PositiveInfinity;
                continue;
            }
            var dv = acc / normV;
            float groupMin = float.PositiveInfinity;
            for (int j = 0; j < n; j++)
            {
                float dj = dv[j];
                dist[first + c0 + j] = dj;
                if (dj < groupMin) groupMin = dj;
            }
            UpdateMin(ref best.Value, groupMin);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void UpdateMin(ref float target, float value)
    {
        float current = Volatile.Read(ref target);
        while (value < current)
        {
            float seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
