using Atelier.Imaging;
using Atelier.Training;

namespace Atelier.Quality;

/// <summary>
/// A run's held-out figures, measured by <see cref="TrainingLoop"/> every EvalEvery steps: the trainer's outputs for a
/// held-out folder (<see cref="IHeldOutScoring"/>), scored with <see cref="MetricSuite"/> on the built-in ResNet-18.
/// Kept cheap: a handful of pictures at the training size, the reference set's features computed once.
/// </summary>
public sealed class HeldOutEvaluation : IDisposable
{
    readonly IHeldOutScoring _producer;
    readonly HeldOutData _data;
    readonly MetricSuite _suite;
    readonly FeatureSet? _referenceFeatures;

    public HeldOutData Data => _data;

    HeldOutEvaluation(IHeldOutScoring producer, HeldOutData data, MetricSuite suite)
    {
        _producer = producer;
        _data = data;
        _suite = suite;
        if (data.Figures == HeldOutFigures.Sets) _referenceFeatures = suite.Features(data.References);
    }

    /// <summary>Reads the held-out folder (errors name it, before any training) and loads the feature network.</summary>
    public static HeldOutEvaluation Create(IHeldOutScoring producer, string folder, int maxImages, Action<string>? warn = null)
    {
        if (maxImages < 1) throw new AtelierUsageException($"{{EvalImages}} {maxImages}: must be at least 1");
        if (!Directory.Exists(folder)) throw new AtelierUsageException($"{{EvalDir}} {folder}: no such folder");
        var data = producer.LoadHeldOut(folder, maxImages, warn);
        switch (data.Figures)
        {
            case HeldOutFigures.Pairs when data.References.Count != data.Inputs.Count:
                throw new ArgumentException("held-out pairs need one reference per input");
            case HeldOutFigures.Style when data.Style is null && data.Styles?.Count != data.Inputs.Count:
                throw new ArgumentException("held-out style figures need a style picture, or one per input");
            case HeldOutFigures.Sets:
                // KID needs four pictures a side; say so before the run starts, naming the folder and the option.
                int fewest = Math.Min(data.References.Count, data.Inputs.Count == 0 ? data.References.Count : data.Inputs.Count);
                if (fewest < 4)
                    throw AtelierException.Naming($"{{EvalDir}} {folder}: {fewest} held-out picture{(fewest == 1 ? "" : "s")} a side; the set figures (FD, KID) need at least 4 (and {{EvalImages}} at least 4)");
                break;
        }
        if (data.Inputs.Count == 0 && data.Figures != HeldOutFigures.Sets) throw new AtelierException($"{folder}: no held-out pictures");
        var suite = MetricSuite.BuiltIn();
        try { return new HeldOutEvaluation(producer, data, suite); }
        catch { suite.Dispose(); throw; }
    }

    /// <summary>The figures of the network as it is now, by key (for sets: "fd", "kid").</summary>
    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken ct = default)
    {
        var outputs = _producer.Produce(_data);
        ct.ThrowIfCancellationRequested();
        switch (_data.Figures)
        {
            case HeldOutFigures.Pairs:
                return MetricSuite.Means(outputs.Select((o, i) => new PairScores(i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _suite.ComparePair(o, _data.References[i], resize: true))).ToList());
            case HeldOutFigures.Style:
                return new Dictionary<string, double>(StringComparer.Ordinal)
                {
                    ["styleDistance"] = outputs.Select((o, i) => StyleDistance.Between(_suite.Network, o, _data.Styles?[i] ?? _data.Style!)).Average(),
                    ["contentDistance"] = outputs.Select((o, i) => ContentDistance.Between(_suite.Network, o, SameSize(_data.Inputs[i], o))).Average(),
                };
            default:
                var report = _suite.CompareSets(_suite.Features(outputs, ct: ct), _referenceFeatures!, "the outputs", "the held-out pictures");
                return report.Figures.ToDictionary(kv => kv.Key, kv => kv.Value.Value, StringComparer.Ordinal);
        }
    }

    static Image SameSize(Image input, Image output) =>
        input.Width == output.Width && input.Height == output.Height ? input : ImageResize.Resize(ImageOps.ToRgb(input), output.Width, output.Height);

    public void Dispose() => _suite.Dispose();
}
