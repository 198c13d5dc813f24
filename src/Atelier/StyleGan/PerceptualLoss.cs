using Atelier.Networks;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

/// <summary>
/// Image2StyleGAN's perceptual loss: the sum over feature layers of the feature MSE normalised by the element count.
/// On a VGG the paper's layers (conv1_1, conv1_2, conv3_2, conv4_2); on the built-in ResNet-18 the stem and the last
/// block of stages 1-3 (conv1, layer1.1, layer2.1, layer3.1: strides 2 to 16, as the VGG layers span 1 to 8). Takes images in [-1, 1] (1 or 3 channels); images smaller than
/// <see cref="MinSide"/> are upsampled first so the deepest layer still has spatial extent. The target's features
/// are cached while the same target tensor object is passed again (an inversion compares against one image every step).
/// </summary>
public sealed class PerceptualLoss : IDisposable
{
    public static readonly IReadOnlyList<string> Image2StyleGanLayers = new[] { "conv1_1", "conv1_2", "conv3_2", "conv4_2" };
    public static readonly IReadOnlyList<string> ResNetLayers = new[] { "conv1", "layer1.1", "layer2.1", "layer3.1" };
    public const int MinSide = 32;

    /// <summary>The layers used on <paramref name="network"/> when none are given.</summary>
    public static IReadOnlyList<string> DefaultLayers(FeatureNetwork network) => network is Vgg ? Image2StyleGanLayers : ResNetLayers;

    readonly FeatureNetwork vgg;
    readonly string[] layers;
    Tensor? cachedTarget;
    Dictionary<string, Tensor>? cachedFeatures;

    public PerceptualLoss(FeatureNetwork vgg, IReadOnlyList<string>? layers = null)
    {
        this.vgg = vgg;
        this.layers = (layers ?? DefaultLayers(vgg)).ToArray();
        foreach (var l in this.layers)
            if (!vgg.LayerNames.Contains(l)) throw new AtelierException($"the feature network {vgg.Description} has no layer {l} (it ends at {vgg.LastLayer})");
    }

    /// <summary>The network's description (for results and metadata).</summary>
    public string Network => vgg.Description;

    public IReadOnlyList<string> Layers => layers;

    /// <summary>The loss between <paramref name="generated"/> and <paramref name="target"/> (gradients flow to the first only).</summary>
    public Tensor Distance(Tensor generated, Tensor target)
    {
        using var scope = NewDisposeScope();
        var fa = vgg.Features(Prepare(generated), layers);
        var fb = TargetFeatures(target);
        Tensor total = zeros(1, device: generated.device);
        foreach (var l in layers) total = total + F.mse_loss(fa[l], fb[l]);
        return total.sum().MoveToOuterDisposeScope();
    }

    Dictionary<string, Tensor> TargetFeatures(Tensor target)
    {
        if (cachedFeatures is not null && ReferenceEquals(cachedTarget, target) && !target.IsInvalid) return cachedFeatures;
        ClearCache();
        using var noGrad = no_grad();
        var features = vgg.Features(Prepare(target), layers);
        foreach (var f in features.Values) f.DetachFromDisposeScope();
        cachedFeatures = features;
        cachedTarget = target;
        return features;
    }

    static Tensor Prepare(Tensor image)
    {
        var x = (image + 1) / 2;
        if (x.shape[1] == 1) x = x.expand(-1, 3, -1, -1);
        long side = Math.Min(x.shape[2], x.shape[3]);
        if (side < MinSide)
        {
            double scale = (double)MinSide / side;
            x = F.interpolate(x, size: new[] { (long)Math.Round(x.shape[2] * scale), (long)Math.Round(x.shape[3] * scale) },
                mode: InterpolationMode.Bilinear, align_corners: false);
        }
        return x;
    }

    void ClearCache()
    {
        if (cachedFeatures is null) return;
        foreach (var f in cachedFeatures.Values) f.Dispose();
        cachedFeatures = null;
        cachedTarget = null;
    }

    public void Dispose() => ClearCache();
}
