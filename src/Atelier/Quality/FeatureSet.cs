using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using static TorchSharp.torch;

namespace Atelier.Quality;

/// <summary>
/// A set of pictures as feature vectors, one row each (n x d, doubles): what the set figures
/// (<see cref="FrechetDistance"/>, <see cref="KernelDistance"/>) compare. <see cref="FromImages"/> takes the built-in
/// ResNet-18's pooled features (avgpool, 512-d) of each picture resized to 224x224, as FID resizes to its
/// network's input (299x299); any vectors can be given directly.
/// </summary>
public sealed class FeatureSet
{
    /// <summary>The side pictures are resized to before the network (ResNet-18's ImageNet input).</summary>
    public const int InputSide = 224;
    public const string PooledLayer = "avgpool";

    public double[,] Features { get; }
    public int Count => Features.GetLength(0);
    public int Dimension => Features.GetLength(1);

    public FeatureSet(double[,] features)
    {
        if (features.GetLength(1) < 1) throw new ArgumentException("feature vectors need at least one dimension", nameof(features));
        Features = features;
    }

    /// <summary>The pooled features of each picture (one at a time: a folder of large pictures never sits in memory at once).</summary>
    public static FeatureSet FromImages(FeatureNetwork network, IEnumerable<Image> images, IProgress<ProgressReport>? progress = null,
        CancellationToken ct = default, int total = 0)
    {
        var rows = new List<double[]>();
        using var noGrad = no_grad();
        foreach (var image in images)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var input = ImageResize.Resize(ImageOps.ToRgb(image), InputSide, InputSide);
            var f = network.Features(ImageTensors.ToTensor(input, device: network.Device), [PooledLayer])[PooledLayer];
            rows.Add(f.flatten().to(ScalarType.Float64).cpu().data<double>().ToArray());
            progress?.Report(new ProgressReport(rows.Count, Math.Max(total, rows.Count), "features"));
        }
        if (rows.Count == 0) return new FeatureSet(new double[0, network.ChannelsOf(PooledLayer)]);
        var m = new double[rows.Count, rows[0].Length];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < rows[i].Length; j++) m[i, j] = rows[i][j];
        return new FeatureSet(m);
    }

    /// <summary>The rows as a float64 tensor on the CPU (the caller disposes it).</summary>
    internal Tensor ToTensor()
    {
        var flat = new double[Features.Length];
        Buffer.BlockCopy(Features, 0, flat, 0, flat.Length * sizeof(double));
        return tensor(flat, [Count, Dimension], ScalarType.Float64);
    }
}
