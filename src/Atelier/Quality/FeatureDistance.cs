using Atelier.Imaging;
using Atelier.Networks;
using static TorchSharp.torch;

namespace Atelier.Quality;

/// <summary>
/// A perceptual distance on the built-in ImageNet ResNet-18: at the end of the stem and of each of its four stages,
/// the features of each position are scaled to unit length over the channels, and the squared difference of the
/// two pictures' unit features is averaged over positions; the figure is the mean over the five layers. 0 for
/// identical pictures, symmetric, at most 4 (opposite unit vectors); small edits score about 0.01-0.1 and unrelated
/// pictures 0.5 and more. It has LPIPS's form without LPIPS's learned per-channel weights (which Atelier does not
/// have), so it is not LPIPS and is comparable only with itself.
/// </summary>
public sealed class FeatureDistance(FeatureNetwork network, IReadOnlyList<string>? layers = null) : ImagePairMetric
{
    /// <summary>The taps measured: the stem's ReLU and the last block of each stage (the built-in network's last stage has three).</summary>
    public static IReadOnlyList<string> ResNet18Layers { get; } = ["conv1", "layer1.1", "layer2.1", "layer3.1", "layer4.2"];

    readonly IReadOnlyList<string> _layers = layers ?? ResNet18Layers;

    public override string Key => "featureDistance";
    public override string Name => "feature distance (ResNet-18)";
    public override bool HigherIsBetter => false;

    protected override double Measure(Image image, Image reference)
    {
        network.CheckInputSize(image.Width, image.Height, "the feature distance's pictures");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var fa = network.Features(ImageTensors.ToTensor(image, device: network.Device), _layers);
        var fb = network.Features(ImageTensors.ToTensor(reference, device: network.Device), _layers);
        double sum = 0;
        foreach (var l in _layers)
        {
            var ua = UnitOverChannels(fa[l].to(ScalarType.Float64));
            var ub = UnitOverChannels(fb[l].to(ScalarType.Float64));
            sum += (ua - ub).square().sum(1).mean().item<double>();
        }
        return sum / _layers.Count;
    }

    // LPIPS's normalize_tensor: x / (‖x‖ over channels + 1e-10), so a position with no activation stays zero.
    static Tensor UnitOverChannels(Tensor f) => f / (f.square().sum(1, keepdim: true).sqrt() + 1e-10);
}
