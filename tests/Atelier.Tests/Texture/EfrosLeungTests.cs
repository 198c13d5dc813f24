using Atelier.Imaging;
using Atelier.Texture;
using Xunit;

namespace Atelier.Tests.Texture;

public class EfrosLeungTests
{
    static readonly EfrosLeungOptions Small = new() { Window = 5 };

    [Fact]
    public void StripesKeepTheirPeriodExactly()
    {
        var sample = SyntheticTextures.Stripes(16, 16, 4);
        var output = EfrosLeung.Synthesize(sample, 28, 28, Small, seed: 1);
        // Every row equals the row one period below, and every row is constant (the stripes are horizontal).
        for (int y = 0; y + 4 < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                Assert.Equal(output[0, y, x], output[0, y + 4, x]);
                Assert.Equal(output[0, y, 0], output[0, y, x]);
            }
        // ...and the four phases are all there, in the sample's order.
        var phases = Enumerable.Range(0, 4).Select(y => output[0, y, 0]).ToArray();
        Assert.Equal(4, phases.Distinct().Count());
    }

    [Fact]
    public void CheckerboardKeepsItsPeriodInBothDirections()
    {
        // Squares of 2 (period 4): the 5x5 window sees more than a period, so the phase is never ambiguous.
        var sample = SyntheticTextures.Checkerboard(18, 18, 2, channels: 3);
        var output = EfrosLeung.Synthesize(sample, 30, 30, Small, seed: 7);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 30; y++)
                for (int x = 0; x < 30; x++)
                {
                    if (y + 4 < 30) Assert.Equal(output[c, y, x], output[c, y + 4, x]);
                    if (x + 4 < 30) Assert.Equal(output[c, y, x], output[c, y, x + 4]);
                    if (x + 2 < 30) Assert.NotEqual(output[c, y, x], output[c, y, x + 2]); // squares alternate
                    if (y + 2 < 30) Assert.NotEqual(output[c, y, x], output[c, y + 2, x]);
                }
    }

    [Fact]
    public void DotsReproduceTheirPeriodByAutocorrelation()
    {
        var sample = SyntheticTextures.Dots(20, 20, 4);
        var output = EfrosLeung.Synthesize(sample, 30, 30, new EfrosLeungOptions { Window = 7 }, seed: 3);
        // Autocorrelation of the (mean-free) red channel over shifts 1..7 peaks at the period 4, both ways.
        double Corr(int s)
        {
            double mean = 0;
            for (int y = 0; y < 30; y++) for (int x = 0; x < 30; x++) mean += output[0, y, x];
            mean /= 900;
            double acc = 0;
            for (int y = 0; y < 30; y++) for (int x = 0; x + s < 30; x++) acc += (output[0, y, x] - mean) * (output[0, y, x + s] - mean);
            return acc / (30 * (30 - s));
        }
        double CorrY(int s)
        {
            double mean = output.Plane(0).ToArray().Average();
            double acc = 0;
            for (int y = 0; y + s < 30; y++) for (int x = 0; x < 30; x++) acc += (output[0, y, x] - mean) * (output[0, y + s, x] - mean);
            return acc / (30 * (30 - s));
        }
        var corr = Enumerable.Range(1, 7).Select(Corr).ToArray();
        var corrY = Enumerable.Range(1, 7).Select(CorrY).ToArray();
        Assert.Equal(4, Array.IndexOf(corr, corr.Max()) + 1);
        Assert.Equal(4, Array.IndexOf(corrY, corrY.Max()) + 1);
        Assert.True(corr[3] > 0.9 * corr.Select((v, i) => i == 3 ? 0 : v).Max() + 0.01, "a clear peak");
    }

    [Fact]
    public void SameSeedSameImageOtherSeedOtherImage()
    {
        var sample = SyntheticTextures.Organic(16, 16, 5);
        var a = EfrosLeung.Synthesize(sample, 24, 24, Small, seed: 11);
        var b = EfrosLeung.Synthesize(sample, 24, 24, Small, seed: 11);
        var c = EfrosLeung.Synthesize(sample, 24, 24, Small, seed: 12);
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, c.Data);
    }

    [Fact]
    public void FastEngineGivesTheReferenceResultBitForBit()
    {
        var sample = SyntheticTextures.Organic(20, 20, 2);
        var fast = EfrosLeung.Synthesize(sample, 26, 26, Small with { Engine = SearchEngine.Fast, MaxThreads = 2 }, seed: 4);
        var reference = EfrosLeung.Synthesize(sample, 26, 26, Small with { Engine = SearchEngine.Reference }, seed: 4);
        Assert.Equal(reference.Data, fast.Data);
    }

    [Fact]
    public void OutputIsMadeOfSamplePatchesUnlikeNoise()
    {
        var sample = SyntheticTextures.Organic(20, 20, 9);
        var output = EfrosLeung.Synthesize(sample, 28, 28, Small, seed: 5);
        var noise = SyntheticTextures.Noise(28, 28, 3, 1);
        var synth = TextureMetrics.Compare(output, sample, patch: 3);
        var baseline = TextureMetrics.Compare(noise, sample, patch: 3);
        Assert.True(synth.Coherence < baseline.Coherence / 3, $"coherence {synth.Coherence} vs noise {baseline.Coherence}");
        Assert.True(synth.Coverage > 0.05, $"coverage {synth.Coverage}");
        // Every output pixel is a sample pixel (Efros-Leung copies, never blends).
        var values = new HashSet<(float, float, float)>();
        for (int i = 0; i < sample.PlaneSize; i++) values.Add((sample.Data[i], sample.Data[sample.PlaneSize + i], sample.Data[2 * sample.PlaneSize + i]));
        for (int i = 0; i < output.PlaneSize; i++)
            Assert.Contains((output.Data[i], output.Data[output.PlaneSize + i], output.Data[2 * output.PlaneSize + i]), values);
    }

    [Fact]
    public void ApproximateModeRunsAndStaysCoherent()
    {
        var sample = SyntheticTextures.Stripes(16, 16, 4, channels: 3);
        var output = EfrosLeung.Synthesize(sample, 24, 24, Small with { Approximate = true }, seed: 2);
        var m = TextureMetrics.Compare(output, sample, patch: 3);
        Assert.True(m.Coherence < 0.05, $"coherence {m.Coherence}");
    }

    [Theory]
    [InlineData(4, "odd")]
    [InlineData(1, "at least 3")]
    [InlineData(19, "smaller than")]
    public void BadWindowIsAUsageError(int window, string message)
    {
        var sample = SyntheticTextures.Stripes(16, 16, 4);
        var e = Assert.Throws<AtelierUsageException>(() => EfrosLeung.Synthesize(sample, 20, 20, new EfrosLeungOptions { Window = window }, seed: 1));
        Assert.Contains("Window", e.Message);
        Assert.Equal(nameof(EfrosLeungOptions.Window), e.Parameter);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, -1)]
    [InlineData(10000, 10000)]
    public void BadOutputSizeIsAUsageError(int w, int h)
    {
        var sample = SyntheticTextures.Stripes(16, 16, 4);
        var e = Assert.Throws<AtelierUsageException>(() => EfrosLeung.Synthesize(sample, w, h, Small, seed: 1));
        Assert.Contains("Size", e.Message);
        Assert.Equal("Size", e.Parameter);
    }

    [Fact]
    public void CancellationStopsTheRun()
    {
        var sample = SyntheticTextures.Organic(16, 16, 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => EfrosLeung.Synthesize(sample, 24, 24, Small, seed: 1, ct: cts.Token));
    }
}
