using Atelier.Imaging;
using Atelier.Networks;

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
        return RelativeFeatureDistance.Mean(network, image, content, layers ?? network.Recipe.ContentLayers, f => f);
    }
}
