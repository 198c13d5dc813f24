using Atelier.Imaging;
using Atelier.Texture;

namespace Atelier.Quality;

/// <summary>
/// The texture commands' coherence (<see cref="TextureMetrics"/>) as a pair figure: the mean RMS distance, in [0,1]
/// intensity units, from each p x p patch of a synthesised texture to its nearest patch of the sample (the reference).
/// 0 when every patch occurs verbatim in the sample; the two pictures may differ in size. Not in
/// <see cref="MetricSuite"/>'s default figures: it is defined against a texture's sample, not against a target of the
/// same picture, and its search costs more.
/// </summary>
public sealed class TextureCoherence(int patch = 5, int stride = 1) : ImagePairMetric
{
    public override string Key => "coherence";
    public override string Name => $"texture coherence ({patch}x{patch} patches)";
    public override bool HigherIsBetter => false;
    public override bool NeedsSameSize => false;

    protected override double Measure(Image image, Image reference) => TextureMetrics.Compare(image, reference, patch, stride).Coherence;
}
