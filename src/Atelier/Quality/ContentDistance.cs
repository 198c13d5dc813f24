using Atelier.Imaging;
using Atelier.Networks;
using static TorchSharp.torch;

namespace Atelier.Quality;

/// <summary>
/// How far an image has moved from a content picture of the same size: the mean over layers of the relative feature
/// distance ‖F(x) − F(c)‖_F / ‖F(c)‖_F (0 for the picture itself). On the built-in ResNet-18 at its recipe's content
/// layers by default.
/// </summary>
public static class ContentDistance
{
    public static double Between(FeatureNetwork network, Image image, Image content, IReadOnlyList<string>? layers = null)
    {
        if (image.Width != content.Width || image.Height != content.Height)
            throw new ArgumentException($"content distance compares pictures of one size, got {image.Width}x{image.Height} and {content.Width}x{content.Height}");
        layers ??= network.Recipe.ContentLayers;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = network.Device;
        var fa = network.Features(ImageTensors.ToTensor(ImageOps.ToRgb(image), device: device), layers);
        var fb = network.Features(ImageTensors.ToTensor(ImageOps.ToRgb(content), device: device), layers);
        double sum = 0;
        foreach (var l in layers)
            sum += (fa[l] - fb[l]).norm().item<float>() / Math.Max(fb[l].norm().item<float>(), 1e-12);
        return sum / layers.Count;
    }
}
