using Atelier.Imaging;
using Atelier.Networks;
using static TorchSharp.torch;

namespace Atelier.Quality;

/// <summary>
/// What the style and content distances share: both pictures through the network once, then the mean over layers of
/// ‖T(F(a)) − T(F(b))‖_F / ‖T(F(b))‖_F for a per-layer transform T (the Gram matrix, or the features themselves).
/// </summary>
static class RelativeFeatureDistance
{
    public static double Mean(FeatureNetwork network, Image a, Image b, IReadOnlyList<string> layers, Func<Tensor, Tensor> transform)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = network.Device;
        var fa = network.Features(ImageTensors.ToTensor(ImageOps.ToRgb(a), device: device), layers);
        var fb = network.Features(ImageTensors.ToTensor(ImageOps.ToRgb(b), device: device), layers);
        double sum = 0;
        foreach (var l in layers)
        {
            var ta = transform(fa[l]);
            var tb = transform(fb[l]);
            sum += (ta - tb).norm().item<float>() / Math.Max(tb.norm().item<float>(), 1e-12);
        }
        return sum / layers.Count;
    }
}
