using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Style;

namespace Atelier.Quality;

/// <summary>
/// How far an image's style is from a style image: the mean over layers of the relative Gram distance
/// ‖G(x) − G(s)‖_F / ‖G(s)‖_F on raw activations (Grams divided by the position count, so sizes may differ).
/// On the built-in ResNet-18 at its recipe's style layers, a Gatys texture of candy scores about 0.1 and an
/// unrelated photo about 0.8.
/// </summary>
public static class StyleDistance
{
    public static double Between(FeatureNetwork network, Image image, Image style, IReadOnlyList<string>? layers = null) =>
        RelativeFeatureDistance.Mean(network, image, style, layers ?? network.Recipe.StyleLayers, GramMatrix.Normalised);
}
