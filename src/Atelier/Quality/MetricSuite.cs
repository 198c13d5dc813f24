using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Quality;

/// <summary>One pair of pictures (a candidate and its reference) with its figures by metric key.</summary>
public sealed record PairScores(string Name, IReadOnlyDictionary<string, double> Figures);

/// <summary>Every pair's figures and their means over the pairs.</summary>
public sealed record PairReport(IReadOnlyList<PairScores> Pairs, IReadOnlyDictionary<string, double> Means);

/// <summary>The set figures of two sets of pictures.</summary>
public sealed record SetReport(int CountA, int CountB, IReadOnlyDictionary<string, SetFigure> Figures);

/// <summary>
/// Atelier's quality figures in one place, for `atelier metrics`, the trainers' held-out figures and the studio:
/// pairs get L1, PSNR, SSIM, the ResNet-18 feature distance and the Gram style distance; sets get FD-ResNet18 and
/// KID-ResNet18 on the pooled features. The network is the built-in ImageNet ResNet-18 (nothing is downloaded).
/// </summary>
public sealed class MetricSuite : IDisposable
{
    readonly bool _ownsNetwork;

    public FeatureNetwork Network { get; }
    public IReadOnlyList<ImagePairMetric> PairMetrics { get; }
    public IReadOnlyList<SetMetric> SetMetrics { get; }

    /// <summary>The fewest pictures each set needs for every set figure.</summary>
    public int MinimumSetSize => SetMetrics.Max(m => m.MinimumSetSize);

    /// <param name="seed">Seeds KID's subset draws (the same seed, the same figure).</param>
    /// <param name="kidSubsets">KID's subset pairs.</param>
    public MetricSuite(FeatureNetwork network, bool ownsNetwork = false, long seed = 0, int kidSubsets = 100)
    {
        Network = network;
        _ownsNetwork = ownsNetwork;
        PairMetrics = [new MeanAbsoluteError(), new PeakSignalToNoiseRatio(), new StructuralSimilarity(), new FeatureDistance(network), new StyleDistanceMetric(network)];
        SetMetrics = [new FrechetDistance(), new KernelDistance(kidSubsets, seed: seed)];
    }

    /// <summary>The suite on the built-in ResNet-18, loaded on <paramref name="device"/> in eval mode.</summary>
    public static MetricSuite BuiltIn(Device? device = null, long seed = 0, int kidSubsets = 100)
    {
        var network = ResNetFeatures.BuiltIn();
        network.to(device ?? CPU);
        network.eval();
        return new MetricSuite(network, ownsNetwork: true, seed, kidSubsets);
    }

    /// <summary>
    /// Every pair figure of <paramref name="image"/> against <paramref name="reference"/>. Pictures of different sizes
    /// are refused unless <paramref name="resize"/>, which resizes the picture (bicubic) to the reference's size.
    /// </summary>
    public IReadOnlyDictionary<string, double> ComparePair(Image image, Image reference, bool resize = false, string? name = null)
    {
        if (image.Width != reference.Width || image.Height != reference.Height)
        {
            if (!resize)
                throw new AtelierUsageException($"{name ?? "the pictures"}: {image.Width}x{image.Height} against {reference.Width}x{reference.Height}; the pixel figures compare pictures of one size (use {{Resize}} to resize the first to the second's size)");
            image = ImageResize.Resize(ImageOps.ToRgb(image), reference.Width, reference.Height);
        }
        CheckPairSize(reference, name);
        var figures = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var m in PairMetrics) figures[m.Key] = m.Compare(image, reference);
        return figures;
    }

    /// <summary>The figures of each pair (loaded one at a time) and their means.</summary>
    public PairReport ComparePairs(IReadOnlyList<(string Name, Func<Image> Image, Func<Image> Reference)> pairs, bool resize = false,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var scores = new List<PairScores>();
        foreach (var (name, image, reference) in pairs)
        {
            ct.ThrowIfCancellationRequested();
            scores.Add(new PairScores(name, ComparePair(image(), reference(), resize, name)));
            progress?.Report(new ProgressReport(scores.Count, pairs.Count, "pairs"));
        }
        return new PairReport(scores, Means(scores));
    }

    /// <summary>The mean of each figure over the pairs (a PSNR mean is +∞ when any pair is identical).</summary>
    public static IReadOnlyDictionary<string, double> Means(IReadOnlyList<PairScores> scores) =>
        scores.Count == 0 ? new Dictionary<string, double>()
            : scores[0].Figures.Keys.ToDictionary(k => k, k => scores.Average(s => s.Figures[k]), StringComparer.Ordinal);

    /// <summary>The pooled ResNet-18 features of a set of pictures (see <see cref="FeatureSet.FromImages"/>).</summary>
    public FeatureSet Features(IEnumerable<Image> images, IProgress<ProgressReport>? progress = null, CancellationToken ct = default, int total = 0) =>
        FeatureSet.FromImages(Network, images, progress, ct, total);

    /// <summary>Every set figure of two feature sets; too few pictures in either is refused, saying how many are needed.</summary>
    public SetReport CompareSets(FeatureSet a, FeatureSet b, string nameA = "the first set", string nameB = "the second set")
    {
        foreach (var (set, name) in new[] { (a, nameA), (b, nameB) })
            if (set.Count < MinimumSetSize)
                throw new AtelierException($"{name}: {set.Count} picture{(set.Count == 1 ? "" : "s")}; the set figures (FD, KID) need at least {MinimumSetSize} in each set");
        return new SetReport(a.Count, b.Count, SetMetrics.ToDictionary(m => m.Key, m => m.Compare(a, b), StringComparer.Ordinal));
    }

    /// <summary>The smallest picture every pair figure accepts: SSIM's window, the network's input.</summary>
    void CheckPairSize(Image reference, string? name)
    {
        int min = Math.Max(StructuralSimilarity.WindowSize, Network.MinimumInputSide);
        if (Math.Min(reference.Width, reference.Height) < min)
            throw new AtelierException($"{name ?? "the pictures"}: {reference.Width}x{reference.Height}; the pair figures need at least {min}x{min}");
    }

    public void Dispose()
    {
        if (_ownsNetwork) Network.Dispose();
    }
}
