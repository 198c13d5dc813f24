using Atelier.Imaging;
using Atelier.Networks;

namespace Atelier.Quality;

/// <summary>
/// <see cref="StyleDistance"/> as a pair figure: the relative Gram distance of the picture to the reference at the
/// network's style layers (the reference's Gram in the denominator, so it is not symmetric). 0 for identical
/// statistics; about 0.1 for a good Gatys texture of its sample, 0.8 for an unrelated photo. The two pictures may
/// differ in size.
/// </summary>
public sealed class StyleDistanceMetric(FeatureNetwork network) : ImagePairMetric
{
    public override string Key => "styleDistance";
    public override string Name => "style distance (ResNet-18 Grams)";
    public override bool HigherIsBetter => false;
    public override bool NeedsSameSize => false;

    protected override double Measure(Image image, Image reference)
    {
        network.CheckInputSize(image.Width, image.Height, "the style distance's picture");
        network.CheckInputSize(reference.Width, reference.Height, "the style distance's reference");
        return StyleDistance.Between(network, image, reference);
    }
}
