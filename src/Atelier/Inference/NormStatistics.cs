using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Inference;

/// <summary>What the normalisation layers do while a <see cref="NormStatistics"/> is active.</summary>
public enum NormStatisticsMode
{
    /// <summary>Statistics come from the input as usual (blended with the previous ones when a momentum is set) and are recorded.</summary>
    Record,
    /// <summary>The recorded statistics are used; the input's own are ignored (every tile normalised alike).</summary>
    Replay,
    /// <summary>
    /// Like <see cref="Replay"/>, and in addition the input's statistics over the tile's own region (its core) are
    /// summed, so that after a pass over all tiles <see cref="NormStatistics.FinishAccumulation"/> gives those of the
    /// whole image at full resolution.
    /// </summary>
    Accumulate,
}

/// <summary>
/// Shared statistics for the layers whose output depends on statistics of the whole image: instance normalisation
/// (TransformerNet, the CycleGAN ResNet/U-Net generators with instance norm) and the AdaIN/WCT content statistics.
/// Activated around a forward pass (<see cref="Activate"/>), it is found by those layers through <see cref="Current"/>;
/// layers are told apart by the order they run in, which is fixed for a feed-forward network. Without one active,
/// every layer behaves exactly as before (checkpoints, parity and training are untouched).
/// <para>
/// Used to make tiles agree (record on the whole image or a downscaled copy, replay in every tile) and to keep video
/// frames steady (record with a momentum: an exponential moving average of each layer's statistics across frames).
/// </para>
/// </summary>
public sealed class NormStatistics : IDisposable
{
    /// <summary>One layer's statistics, in float64: per-channel mean (C), and variance (C) or covariance (C, C), both biased (divided by n).</summary>
    sealed class Entry : IDisposable
    {
        public required Tensor Mean;
        public required Tensor Second;
        public long Count;
        public void Dispose() { Mean.Dispose(); Second.Dispose(); }
    }

    /// <summary>Running sums of the <see cref="NormStatisticsMode.Accumulate"/> pass.</summary>
    sealed class Sum : IDisposable
    {
        public required Tensor S1;
        public required Tensor S2;
        public long Count;
        public void Dispose() { S1.Dispose(); S2.Dispose(); }
    }

    [ThreadStatic] static NormStatistics? _current;

    readonly List<Entry> _entries = [];
    readonly List<Sum?> _sums = [];
    int _cursor;
    (double Y0, double Y1, double X0, double X1) _region = (0, 1, 0, 1);

    /// <summary>The statistics active on this thread, or null (layers then use their input's own).</summary>
    public static NormStatistics? Current => _current;

    public NormStatisticsMode Mode { get; private set; } = NormStatisticsMode.Record;

    /// <summary>
    /// In <see cref="NormStatisticsMode.Record"/>: weight of the previously recorded statistics in the ones used now
    /// (0 = the input's own; 0.7 = an exponential moving average over about three frames).
    /// </summary>
    public double Momentum { get; set; }

    /// <summary>How many layers have recorded statistics.</summary>
    public int LayerCount => _entries.Count;

    /// <summary>
    /// Makes these statistics active on this thread until the returned handle is disposed. <paramref name="region"/>
    /// (fractions of the input's height and width: y0, y1, x0, x1) is the part of the input whose statistics are summed
    /// in <see cref="NormStatisticsMode.Accumulate"/>; it maps onto every feature map in proportion.
    /// </summary>
    public IDisposable Activate(NormStatisticsMode mode, (double Y0, double Y1, double X0, double X1)? region = null)
    {
        if (_current is not null) throw new InvalidOperationException("normalisation statistics are already active on this thread");
        if (mode != NormStatisticsMode.Record && _entries.Count == 0)
            throw new InvalidOperationException($"{mode} needs statistics recorded first");
        Mode = mode;
        _cursor = 0;
        _region = region ?? (0, 1, 0, 1);
        _current = this;
        return new Deactivation(this);
    }

    sealed class Deactivation(NormStatistics owner) : IDisposable
    {
        bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            if (ReferenceEquals(_current, owner)) _current = null;
            // A pass stopped between layers (a stop request) ran fewer layers by design: the cancellation is what to report.
            if (owner.Mode != NormStatisticsMode.Record && owner._cursor != owner._entries.Count && !Runtime.AmbientCancellation.IsRequested)
                throw new InvalidOperationException($"the network ran {owner._cursor} normalisation layers but {owner._entries.Count} were recorded");
        }
    }

    /// <summary>
    /// Per-channel mean and biased variance (each (N, C, 1, 1), in <paramref name="x"/>'s dtype) for the next layer,
    /// with the number of positions they stand for, according to the mode. Replayed statistics (recorded for one image)
    /// are shared by every item of the batch.
    /// </summary>
    public (Tensor Mean, Tensor Var, long Count) MeanVar(Tensor x)
    {
        long n = x.shape[0], c = x.shape[1];
        using var scope = NewDisposeScope();
        var entry = Next(x, full =>
        {
            // No float64 copy of the feature map: var_mean reads the input once (libtorch accumulates float in double
            // on the CPU); only the per-channel results are widened. A batch records the mean over its items (video
            // and tiles use batch 1).
            var flat = full.reshape(full.shape[0], c, -1);
            var (variance, mean) = var_mean(flat, 2L, unbiased: false);
            return (mean.to(ScalarType.Float64).mean([0L]), variance.to(ScalarType.Float64).mean([0L]), flat.shape[2]);
        }, (part, s1, s2) =>
        {
            var flat = part.to(ScalarType.Float64).reshape(part.shape[0], c, -1);
            return (s1 + flat.sum([0L, 2L]), s2 + flat.square().sum([0L, 2L]), flat.shape[0] * flat.shape[2]);
        }, c, covariance: false);
        var m = entry.Mean.to(x.dtype).view(1, c, 1, 1).expand(n, c, 1, 1);
        var v = entry.Second.to(x.dtype).view(1, c, 1, 1).expand(n, c, 1, 1);
        return (m.MoveToOuterDisposeScope(), v.MoveToOuterDisposeScope(), entry.Count);
    }

    /// <summary>
    /// Mean (C, 1) and biased covariance (C, C) of (1, C, H, W) features in float64, with the number of positions
    /// they stand for (for WCT's unbiased covariance), according to the mode.
    /// </summary>
    public (Tensor Mean, Tensor Cov, long Count) MeanCov(Tensor x)
    {
        long c = x.shape[1];
        using var scope = NewDisposeScope();
        var entry = Next(x, full =>
        {
            var f = full.to(ScalarType.Float64).reshape(c, -1);
            var mean = f.mean([1L]);
            var centred = f - mean.view(c, 1);
            return (mean, centred.mm(centred.t()) / f.shape[1], f.shape[1]);
        }, (part, s1, s2) =>
        {
            var f = part.to(ScalarType.Float64).reshape(c, -1);
            return (s1 + f.sum([1L]), s2 + f.mm(f.t()), f.shape[1]);
        }, c, covariance: true);
        return (entry.Mean.view(c, 1).alias().MoveToOuterDisposeScope(), entry.Second.alias().MoveToOuterDisposeScope(), entry.Count);
    }

    Entry Next(Tensor x, Func<Tensor, (Tensor Mean, Tensor Second, long Count)> measure,
        Func<Tensor, Tensor, Tensor, (Tensor S1, Tensor S2, long Count)> add, long channels, bool covariance)
    {
        int k = _cursor++;
        using var noGrad = no_grad();
        if (Mode == NormStatisticsMode.Record)
        {
            var (mean, second, count) = measure(x);
            if (k < _entries.Count)
            {
                var old = _entries[k];
                if (old.Mean.shape[0] != channels || (old.Second.dim() == 2) != covariance)
                    throw new InvalidOperationException($"normalisation layer {k} changed shape between passes");
                if (Momentum > 0)
                {
                    mean = old.Mean * Momentum + mean * (1 - Momentum);
                    second = old.Second * Momentum + second * (1 - Momentum);
                }
                old.Dispose();
                _entries[k] = Keep(mean, second, count);
            }
            else _entries.Add(Keep(mean, second, count));
            return _entries[k];
        }
        if (k >= _entries.Count) throw new InvalidOperationException($"normalisation layer {k} has no recorded statistics");
        var e = _entries[k];
        if (e.Mean.shape[0] != channels) throw new InvalidOperationException($"normalisation layer {k}: {channels} channels, {e.Mean.shape[0]} recorded");
        if (Mode == NormStatisticsMode.Accumulate)
        {
            while (_sums.Count <= k) _sums.Add(null);
            var part = RegionOf(x);
            if (part.shape[2] > 0 && part.shape[3] > 0)
            {
                var s = _sums[k];
                var s1 = s?.S1 ?? zeros(channels, dtype: ScalarType.Float64, device: x.device);
                var s2 = s?.S2 ?? (covariance ? zeros(channels, channels, dtype: ScalarType.Float64, device: x.device) : zeros(channels, dtype: ScalarType.Float64, device: x.device));
                var (n1, n2, count) = add(part, s1, s2);
                s?.Dispose();
                _sums[k] = new Sum { S1 = n1.DetachFromDisposeScope(), S2 = n2.DetachFromDisposeScope(), Count = (s?.Count ?? 0) + count };
            }
        }
        return e;
    }

    static Entry Keep(Tensor mean, Tensor second, long count) =>
        new() { Mean = mean.detach().DetachFromDisposeScope(), Second = second.detach().DetachFromDisposeScope(), Count = count };

    /// <summary>The part of a feature map that the current region covers (rows and columns in proportion).</summary>
    Tensor RegionOf(Tensor x)
    {
        long h = x.shape[2], w = x.shape[3];
        long y0 = (long)Math.Round(_region.Y0 * h), y1 = (long)Math.Round(_region.Y1 * h);
        long x0 = (long)Math.Round(_region.X0 * w), x1 = (long)Math.Round(_region.X1 * w);
        return x[.., .., (int)y0..(int)y1, (int)x0..(int)x1];
    }

    /// <summary>
    /// Replaces the recorded statistics with those summed by the <see cref="NormStatisticsMode.Accumulate"/> pass
    /// (the whole image's, at full resolution) and clears the sums.
    /// </summary>
    public void FinishAccumulation()
    {
        if (_sums.Count != _entries.Count || _sums.Any(s => s is null))
            throw new InvalidOperationException("the accumulation pass did not reach every normalisation layer");
        using var scope = NewDisposeScope();
        for (int k = 0; k < _entries.Count; k++)
        {
            var s = _sums[k]!;
            var mean = s.S1 / s.Count;
            var second = _entries[k].Second.dim() == 2
                ? s.S2 / s.Count - mean.view(-1, 1).mm(mean.view(1, -1))
                : (s.S2 / s.Count - mean.square()).clamp_min(0);
            _entries[k].Dispose();
            _entries[k] = Keep(mean, second, s.Count);
            s.Dispose();
        }
        _sums.Clear();
    }

    /// <summary>Forgets everything recorded (the next Record starts afresh, without momentum).</summary>
    public void Clear()
    {
        foreach (var e in _entries) e.Dispose();
        foreach (var s in _sums) s?.Dispose();
        _entries.Clear();
        _sums.Clear();
    }

    public void Dispose() => Clear();
}
