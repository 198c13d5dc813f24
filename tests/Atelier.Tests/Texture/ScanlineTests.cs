using Atelier.Texture;
using Xunit;

namespace Atelier.Tests.Texture;

public class ScanlineTests
{
    [Fact]
    public void CausalNeighbourhoodIsTheLShapedHalf()
    {
        var p = Scanline.CausalPositions(5);
        Assert.Equal(12, p.Length); // two full rows of 5 above, two pixels to the left
        Assert.All(p, q => Assert.True(q.Dy < 0 || (q.Dy == 0 && q.Dx < 0)));
        Assert.Equal([(-1, 0), (0, -1)], p[..2].OrderBy(q => q).ToArray()); // nearest first
    }

    [Fact]
    public void FastEngineGivesTheReferenceResultSingleAndMultiResolution()
    {
        var sample = SyntheticTextures.Organic(24, 24, 3);
        foreach (var levels in new[] { 1, 2 })
        {
            var opt = new ScanlineOptions { Window = 5, Levels = levels };
            var fast = Scanline.Synthesize(sample, 32, 30, opt, seed: 9);
            var reference = Scanline.Synthesize(sample, 32, 30, opt with { Engine = SearchEngine.Reference }, seed: 9);
            Assert.Equal(reference.Data, fast.Data);
        }
    }

    [Fact]
    public void StripesComeOutAsStripesWithTheirPeriod()
    {
        var sample = SyntheticTextures.Stripes(20, 20, 4, channels: 3);
        var output = Scanline.Synthesize(sample, 32, 32, new ScanlineOptions { Window = 5 }, seed: 1);
        // The first rows grow out of noise; after them every row is a constant stripe. (The order of the stripes
        // is not guaranteed: the toroidal wrap at a row's start sees the end of that row while it is still noise,
        // Wei-Levoy's start-up effect, which can shift the phase; the multi-resolution form suffers less.)
        for (int y = 4; y < 32; y++)
            for (int x = 0; x < 32; x++) Assert.Equal(output[0, y, 0], output[0, y, x]);
        Assert.Equal(4, Enumerable.Range(4, 28).Select(y => output[0, y, 0]).Distinct().Count());
    }

    [Fact]
    public void MultiResolutionOutputIsCoherentAndDeterministic()
    {
        var sample = SyntheticTextures.Organic(24, 24, 6);
        var opt = new ScanlineOptions { Window = 5, Levels = 2 };
        var a = Scanline.Synthesize(sample, 32, 32, opt, seed: 4);
        var b = Scanline.Synthesize(sample, 32, 32, opt, seed: 4);
        Assert.Equal(a.Data, b.Data);
        var m = TextureMetrics.Compare(a, sample, patch: 3);
        var noise = TextureMetrics.Compare(SyntheticTextures.Noise(32, 32, 3, 2), sample, patch: 3);
        Assert.True(m.Coherence < noise.Coherence / 2, $"coherence {m.Coherence} vs noise {noise.Coherence}");
    }

    [Fact]
    public void ApproximateModeIsCoherentToo()
    {
        var sample = SyntheticTextures.Organic(24, 24, 6);
        var a = Scanline.Synthesize(sample, 32, 32, new ScanlineOptions { Window = 5, Levels = 2, Approximate = true }, seed: 4);
        var m = TextureMetrics.Compare(a, sample, patch: 3);
        var noise = TextureMetrics.Compare(SyntheticTextures.Noise(32, 32, 3, 2), sample, patch: 3);
        Assert.True(m.Coherence < noise.Coherence / 2, $"coherence {m.Coherence} vs noise {noise.Coherence}");
    }

    [Fact]
    public void TooManyLevelsForTheSampleIsAUsageError()
    {
        var sample = SyntheticTextures.Organic(20, 20, 1);
        var e = Assert.Throws<AtelierUsageException>(() => Scanline.Synthesize(sample, 30, 30, new ScanlineOptions { Window = 5, Levels = 4 }, seed: 1));
        Assert.Contains("Levels 4", e.Message);
    }
}
