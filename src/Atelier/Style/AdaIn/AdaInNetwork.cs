using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// One level of <see cref="AdaInStylizer"/> (encoder to the decoder's layer, AdaIN or WCT, decoder) as an
/// <see cref="IImageNetwork"/>, for tiled images and video. The style side (statistics, colouring matrices) is computed
/// once; the content side (mean and standard deviation for AdaIN, mean and covariance for WCT) comes from the active
/// <see cref="NormStatistics"/> when there is one, so tiles share the whole image's statistics and video frames can
/// average them. Without one it equals <see cref="AdaInStylizer.Stylize"/> for that level (no masks).
/// Multi-level WCT is one network per level, run in turn (<see cref="Levels"/>).
/// </summary>
public sealed class AdaInNetwork : IImageNetwork, IDisposable
{
    readonly FeatureNetwork _encoder;
    readonly AdaInDecoder _decoder;
    readonly AdaInOptions _options;
    readonly double[] _weights;
    readonly List<(Tensor Mean, Tensor Second)> _styles = []; // AdaIN: mean, std (1,C,1,1); WCT: mean (C,1), colouring (C,C) float64

    public AdaInNetwork(FeatureNetwork encoder, AdaInDecoder decoder, IReadOnlyList<StyleInput> styles, AdaInOptions options, Tensor? colorReference = null)
    {
        if (styles.Count == 0) throw new AtelierException("no style image given");
        if (styles.Any(s => s.Mask is not null))
            throw new AtelierUsageException("{Mask}: spatial control works on the whole image only; raise {MaxMemory} so the image is not cut into tiles");
        _encoder = encoder; _decoder = decoder; _options = options;
        double sum = styles.Sum(s => s.Weight);
        if (!(sum > 0) || styles.Any(s => s.Weight < 0)) throw new AtelierException("style weights must be non-negative and sum to a positive number");
        _weights = [.. styles.Select(s => s.Weight / sum)];
        _styleInputs = styles;
        _colorReference = colorReference;
    }

    readonly IReadOnlyList<StyleInput> _styleInputs;
    readonly Tensor? _colorReference;

    /// <summary>
    /// Computes the style side (done on first use otherwise: planning a run needs none of it). Call it before disposing
    /// the colour reference.
    /// </summary>
    public void Prepare() => EnsureStyles();

    void EnsureStyles()
    {
        if (_styles.Count > 0) return;
        var styles = _styleInputs;
        var options = _options;
        var encoder = _encoder;
        var colorReference = _colorReference;
        using var _ = no_grad();
        string layer = _decoder.EncoderLayer;
        foreach (var s in styles)
        {
            using var scope = NewDisposeScope();
            var img = options.PreserveColor && colorReference is not null ? ColorTransfer.Coral(s.Image, colorReference) : s.Image;
            var fs = encoder.Features(img, [layer])[layer];
            if (options.Transform == FeatureTransform.AdaIn)
            {
                var (m, sd) = AdaIn.MeanStd(fs);
                _styles.Add((m.DetachFromDisposeScope(), sd.DetachFromDisposeScope()));
            }
            else
            {
                var f = fs.reshape(fs.shape[1], -1).to(ScalarType.Float64);
                var mean = f.mean([1L], keepdim: true);
                var (vals, vecs) = linalg.eigh(Wct.Covariance(f - mean));
                var keep = vals > Wct.EigenThreshold;
                var e = vecs.index(TensorIndex.Colon, TensorIndex.Tensor(keep));
                var colouring = (e * vals.index(TensorIndex.Tensor(keep)).sqrt()).mm(e.t());
                _styles.Add((mean.DetachFromDisposeScope(), colouring.DetachFromDisposeScope()));
            }
        }
    }

    /// <summary>The networks of every level <see cref="AdaInStylizer.Stylize"/> would run, deepest first.</summary>
    public static List<AdaInNetwork> Levels(AdaInStylizer stylizer, IReadOnlyList<StyleInput> styles, AdaInOptions options, Tensor? colorReference = null)
    {
        IReadOnlyList<AdaInDecoder> levels = options.Transform == FeatureTransform.AdaIn ? [stylizer.Decoders[0]] : stylizer.Decoders;
        // The same checks and messages as AdaInStylizer.Stylize.
        if (options.Transform == FeatureTransform.AdaIn && stylizer.Decoders.Count > 1)
            throw new AtelierException($"AdaIN uses one decoder ({stylizer.Decoders[0].EncoderLayer}); several decoders are for multi-level WCT");
        if (options.Transform == FeatureTransform.AdaIn && stylizer.Encoder is Vgg && stylizer.Decoders[0].EncoderLayer != "relu4_1")
            throw new AtelierException($"AdaIN needs the relu4_1 decoder, this one inverts {stylizer.Decoders[0].EncoderLayer}");
        var list = new List<AdaInNetwork>();
        try { foreach (var d in levels) list.Add(new AdaInNetwork(stylizer.Encoder, d, styles, options, colorReference)); }
        catch { foreach (var n in list) n.Dispose(); throw; }
        return list;
    }

    public string Name => $"{(_options.Transform == FeatureTransform.AdaIn ? "AdaIN" : "WCT")} ({_decoder.EncoderLayer})";
    public int Multiple => 1 << _decoder.Upsamplings;
    /// <summary>VGG to relu4_1 and the decoder back: a receptive-field radius of about 60 px at relu4_1.</summary>
    public int Overlap => _decoder.Upsamplings >= 3 ? 128 : 64;
    public long BytesPerPixel => 2400;
    public bool UsesStatistics => true;
    public int OutputChannels => 3;

    public Image PrepareInput(Image image) => image.Channels == 3 ? image : ImageOps.ToRgb(image);

    public Tensor Forward(Tensor input01)
    {
        EnsureStyles();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        string layer = _decoder.EncoderLayer;
        int h = (int)input01.shape[2], w = (int)input01.shape[3], m = _decoder.EdgeMargin(h, w);
        var fc = _encoder.Features(AdaInDecoder.Reflect(input01, m), [layer])[layer];
        var stats = NormStatistics.Current;
        Tensor target;
        if (stats is null)
        {
            using var own = new NormStatistics();
            using (own.Activate(NormStatisticsMode.Record)) target = Transform(fc, own);
        }
        else target = Transform(fc, stats);
        // The margin off, and the extra rows and columns of ceil-mode pooling (see AdaInStylizer.Stylize).
        var y = _decoder.forward(AdaIn.Blend(target, fc, _options.Alpha))[.., .., m..(m + h), m..(m + w)];
        return y.MoveToOuterDisposeScope();
    }

    Tensor Transform(Tensor fc, NormStatistics stats)
    {
        long c = fc.shape[1];
        var target = zeros_like(fc);
        if (_options.Transform == FeatureTransform.AdaIn)
        {
            // The reference's statistics: unbiased variance plus epsilon, then the square root.
            var (mean, variance, n) = stats.MeanVar(fc);
            var std = (variance * (n / Math.Max(1.0, n - 1.0)) + AdaIn.Epsilon).sqrt();
            var normalised = (fc - mean) / std;
            for (int i = 0; i < _styles.Count; i++) target = target + (normalised * _styles[i].Second + _styles[i].Mean) * _weights[i];
            return target;
        }
        var (m, cov, count) = stats.MeanCov(fc);
        var unbiased = cov * (count / Math.Max(1.0, count - 1.0));
        if (_options.WctRidge != 0) unbiased = unbiased + eye(c, dtype: unbiased.dtype, device: unbiased.device) * _options.WctRidge;
        var (vals, vecs) = linalg.eigh(unbiased);
        var keep = vals > Wct.EigenThreshold;
        var e = vecs.index(TensorIndex.Colon, TensorIndex.Tensor(keep));
        var whitening = (e * vals.index(TensorIndex.Tensor(keep)).pow(-0.5)).mm(e.t());
        var whitened = whitening.mm(fc.reshape(c, -1).to(ScalarType.Float64) - m);
        for (int i = 0; i < _styles.Count; i++)
        {
            var coloured = (_styles[i].Second.mm(whitened) + _styles[i].Mean).to(fc.dtype).view(fc.shape);
            target = target + coloured * _weights[i];
        }
        return target;
    }

    public void Dispose()
    {
        foreach (var (a, b) in _styles) { a.Dispose(); b.Dispose(); }
        _styles.Clear();
    }
}
