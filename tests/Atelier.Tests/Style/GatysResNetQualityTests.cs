using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Quality;
using Atelier.Style;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

/// <summary>
/// Gatys on the built-in ImageNet ResNet-18 with its default recipe, on the paintings of ../shared/images/style at
/// 64 px: no checkerboard (the artifact figure, high-frequency energy against the style's, at most 1.5), the style's
/// statistics matched far better than by the random-weight VGG-19 on the same budget, and SWAG's softmax as an option.
/// </summary>
public class GatysResNetQualityTests
{
    static readonly Lazy<ResNetFeatures> Net = new(ResNetFeatures.BuiltIn);

    static Image? Style(string name)
    {
        var path = TestPaths.Shared is { } s ? Path.Combine(s, "images", "style", name + ".jpg") : null;
        return path is not null && File.Exists(path) ? ImageResize.ResizeToFit(ImageIO.Load(path), 64) : null;
    }

    [SkippableTheory]
    [InlineData("candy")]
    [InlineData("mosaic")]
    [InlineData("udnie")]
    [InlineData("la_muse")]
    public void TexturesHaveNoGridAndMatchTheStyle(string name)
    {
        var style = Style(name);
        Skip.If(style is null, TestPaths.SharedMissing);
        var result = GatysTexture.Synthesize(style!, 64, 64, Net.Value, new GatysTextureOptions { Iterations = 120, Seed = 1 });
        double artifact = HighFrequencyEnergy.ArtifactRatio(result.Image, style!);
        double distance = StyleDistance.Between(Net.Value, result.Image, style!, ResNetFeatures.RawStyleLayers);
        // Noise scores ~3 here, an unrelated photo 0.8: the recipe reaches about 0.1-0.2.
        Assert.True(artifact <= 1.5, $"{name}: artifact figure {artifact:F2}");
        Assert.True(distance < 0.35, $"{name}: style distance {distance:F3}");
    }

    [SkippableFact]
    public void RawResNetFeaturesLeaveTheGridThatTheRecipeRemoves()
    {
        var style = Style("candy");
        Skip.If(style is null, TestPaths.SharedMissing);
        var raw = GatysTexture.Synthesize(style!, 64, 64, Net.Value, new GatysTextureOptions { Iterations = 120, Seed = 1, TvWeight = 0 });
        var recipe = GatysTexture.Synthesize(style!, 64, 64, Net.Value, new GatysTextureOptions { Iterations = 120, Seed = 1 });
        double rawArtifact = HighFrequencyEnergy.ArtifactRatio(raw.Image, style!), recipeArtifact = HighFrequencyEnergy.ArtifactRatio(recipe.Image, style!);
        Assert.True(rawArtifact > 1.5 * recipeArtifact, $"raw {rawArtifact:F2}, recipe {recipeArtifact:F2}");
    }

    [Fact]
    public void SwagSoftmaxIsOneSoftmaxOverTheWholeLayerScaledToMeanOne()
    {
        using var scope = NewDisposeScope();
        var f = randn(2, 3, 4, 5);
        var s = GatysLosses.Smooth(f, ActivationSmoothing.Softmax);
        Assert.Equal(f.shape, s.shape);
        // Per image: the mean is 1 and the values are exp(F) up to one constant.
        for (int b = 0; b < 2; b++)
        {
            Assert.Equal(1.0, s[b].mean().item<float>(), 4);
            var ratio = s[b] / f[b].exp();
            Assert.True((ratio.max() - ratio.min()).item<float>() < 1e-4 * ratio.mean().item<float>());
        }
        Assert.Same(f, GatysLosses.Smooth(f, ActivationSmoothing.None));
    }
}
