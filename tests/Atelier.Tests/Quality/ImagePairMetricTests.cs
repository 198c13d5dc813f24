using System.Text.Json;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Quality;
using Xunit;

namespace Atelier.Tests.Quality;

/// <summary>The pair figures: scikit-image's SSIM and PSNR on the fixture pairs, known answers for identical pictures, sizes.</summary>
public class ImagePairMetricTests
{
    [Fact]
    public void SsimAndPsnrMatchScikitImageOnTheFixturePairs()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("quality", "ssim_expected.json")));
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(4, cases.Count);
        var ssim = new StructuralSimilarity();
        var psnr = new PeakSignalToNoiseRatio();
        foreach (var c in cases)
        {
            var a = ImageIO.Load(TestPaths.Fixture("quality", c.GetProperty("a").GetString()!));
            var b = ImageIO.Load(TestPaths.Fixture("quality", c.GetProperty("b").GetString()!));
            Assert.Equal(c.GetProperty("ssim").GetDouble(), ssim.Compare(a, b), 4);
            Assert.Equal(c.GetProperty("psnr").GetDouble(), psnr.Compare(a, b), 4);
            // SSIM is symmetric; PSNR too.
            Assert.Equal(ssim.Compare(a, b), ssim.Compare(b, a), 10);
        }
    }

    [Fact]
    public void IdenticalPicturesScoreInfinitePsnrSsimOneAndZeroDistances()
    {
        var photo = ProceduralSamples.Make("pebbles", 48, 1);
        using var suite = MetricSuite.BuiltIn();
        var f = suite.ComparePair(photo, photo.Clone());
        Assert.Equal(double.PositiveInfinity, f["psnr"]);
        Assert.Equal(1, f["ssim"], 12);
        Assert.Equal(0, f["l1"]);
        Assert.Equal(0, f["featureDistance"], 12);
        Assert.Equal(0, f["styleDistance"], 6);
        Assert.Equal(double.PositiveInfinity, PeakSignalToNoiseRatio.FromMse(0));
        Assert.Equal(20, PeakSignalToNoiseRatio.FromMse(0.01), 12);
    }

    [Fact]
    public void DistancesGrowWithTheChangeAndTheFeatureDistanceIsSymmetric()
    {
        var photo = ProceduralSamples.Make("pebbles", 48, 1);
        var noisy = photo.Clone();
        var random = new Random(3);
        for (int i = 0; i < noisy.Data.Length; i++) noisy.Data[i] = Math.Clamp(noisy.Data[i] + (float)(random.NextDouble() - 0.5) * 0.1f, 0, 1);
        var other = ProceduralSamples.Make("bricks", 48, 2);
        using var suite = MetricSuite.BuiltIn();
        var near = suite.ComparePair(noisy, photo);
        var far = suite.ComparePair(other, photo);
        Assert.True(near["psnr"] > far["psnr"] && near["psnr"] > 25, $"PSNR {near["psnr"]} vs {far["psnr"]}");
        Assert.True(near["ssim"] > far["ssim"], $"SSIM {near["ssim"]} vs {far["ssim"]}");
        Assert.True(near["featureDistance"] > 0 && near["featureDistance"] < far["featureDistance"], $"feature distance {near["featureDistance"]} vs {far["featureDistance"]}");
        Assert.True(near["styleDistance"] < far["styleDistance"]);
        var fd = new FeatureDistance(suite.Network);
        Assert.Equal(fd.Compare(other, photo), fd.Compare(photo, other), 9);
        Assert.InRange(far["featureDistance"], 0, 4);
    }

    [Fact]
    public void PicturesOfDifferentSizesAreRefusedUnlessResized()
    {
        var photo = ProceduralSamples.Make("pebbles", 48, 1);
        var large = ImageResize.Resize(photo, 96, 96);
        using var suite = MetricSuite.BuiltIn();
        var e = Assert.Throws<AtelierUsageException>(() => suite.ComparePair(large, photo, name: "cat"));
        Assert.Contains("cat: 96x96 against 48x48", e.Message);
        Assert.Contains("{Resize}", e.Template);
        var f = suite.ComparePair(large, photo, resize: true);
        Assert.True(f["psnr"] > 25, $"a picture resized up and back scores {f["psnr"]} dB");
        Assert.Throws<AtelierException>(() => new StructuralSimilarity().Compare(new Image(10, 30, 3), new Image(10, 30, 3)));
        // The style distance compares statistics: sizes may differ.
        var style = new StyleDistanceMetric(suite.Network);
        double sameTexture = style.Compare(large, photo), otherTexture = style.Compare(ImageResize.Resize(ProceduralSamples.Make("bricks", 48, 2), 96, 96), photo);
        Assert.True(sameTexture < otherTexture, $"style distance {sameTexture} to the same texture larger, {otherTexture} to another");
    }
}

/// <summary>The texture coherence through the pair-metric base: 0 for a crop of the sample, positive for noise.</summary>
public class TextureCoherenceTests
{
    [Fact]
    public void ACropOfTheSampleIsFullyCoherentAndNoiseIsNot()
    {
        var sample = ProceduralSamples.Make("weave", 32, 1);
        var coherence = new TextureCoherence(patch: 5);
        Assert.Equal(0, coherence.Compare(ImageOps.Crop(sample, 4, 6, 20, 16), sample), 6);
        var noise = new Image(20, 20, 1);
        var random = new Random(1);
        for (int i = 0; i < noise.Data.Length; i++) noise.Data[i] = (float)random.NextDouble();
        Assert.True(coherence.Compare(noise, sample) > 0.1); // gray against RGB: both compared as RGB
    }
}
