using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Style;
using static TorchSharp.torch;

namespace Atelier.Quality;

/// <summary>
/// How far an image's style is from a style image: the mean over layers of the relative Gram distance
/// ‖G(x) − G(s)‖_F / ‖G(s)‖_F on raw activations (Grams divided by the position count, so sizes may differ).
/// On the built-in ResNet-18 at its recipe's style layers, a Gatys texture of candy scores about 0.1 and an
/// unrelated photo about 0.8.
/// </summary>
public static class StyleDistance
{
    public static double Between(FeatureNetwork network, Image image, Image style, IReadOnlyList<string>? layers = null)
    {
        layers ??= network.Recipe.StyleLayers;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = network.Device;
        var fa = network.Features(ImageTensors.ToTensor(ImageOps.ToRgb(image), device: device), layers);
        var fb = network.Features(ImageTensors.ToTensor(ImageOps.ToRgb(style), device: device), layers);
        double sum = 0;
        foreach (var l in layers)
        {
            var ga = GramMatrix.Normalised(fa[l]);
            var gb = GramMatrix.Normalised(fb[l]);
            sum += (ga - gb).norm().item<float>() / Math.Max(gb.norm().item<float>(), 1e-12);
        }
        return sum / layers.Count;
    }
}
