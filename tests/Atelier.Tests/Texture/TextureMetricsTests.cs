using Atelier.Texture;
using Xunit;

namespace Atelier.Tests.Texture;

public class TextureMetricsTests
{
    [Fact]
    public void TheSampleItselfIsPerfectlyCoherentAndCovered()
    {
        var sample = SyntheticTextures.Organic(20, 20, 1);
        var m = TextureMetrics.Compare(sample, sample, patch: 5);
        Assert.Equal(0, m.Coherence, 9);
        Assert.Equal(1, m.Coverage, 9);
        Assert.Equal(16 * 16, m.OutputPatches);
        Assert.Equal(1, m.Repetition, 9); // each sample patch once: an even spread
    }

    [Fact]
    public void NoiseIsFarAndAConstantImageCoversOnePatch()
    {
        var sample = SyntheticTextures.Organic(20, 20, 1);
        var noise = TextureMetrics.Compare(SyntheticTextures.Noise(24, 24, 3, 5), sample, patch: 5);
        Assert.True(noise.Coherence > 0.15, $"{noise.Coherence}");
        var flat = new Atelier.Imaging.Image(24, 24, 3);
        Array.Fill(flat.Data, 0.5f);
        var m = TextureMetrics.Compare(flat, sample, patch: 5);
        Assert.Equal(1.0 / (16 * 16), m.Coverage, 9);
        // All 400 output patches on one sample patch, where an even spread would give each 400 / 256.
        Assert.Equal(256, m.Repetition, 9);
    }

    [Fact]
    public void FastSearchMatchesAScalarBruteForce()
    {
        // The metric's nearest neighbours come from the fast, pruned search: check against a plain loop.
        var sample = SyntheticTextures.Organic(18, 18, 4);
        var output = SyntheticTextures.Noise(9, 9, 3, 3);
        int p = 5;
        double sum = 0;
        int count = 0;
        for (int y = 0; y + p <= 9; y++)
            for (int x = 0; x + p <= 9; x++)
            {
                float best = float.PositiveInfinity;
                for (int sy = 0; sy + p <= 18; sy++)
                    for (int sx = 0; sx + p <= 18; sx++)
                    {
                        float acc = 0;
                        for (int dy = 0; dy < p; dy++)
                            for (int dx = 0; dx < p; dx++)
                                for (int c = 0; c < 3; c++)
                                {
                                    float d = output[c, y + dy, x + dx] - sample[c, sy + dy, sx + dx];
                                    acc += d * d * 1f;
                                }
                        best = Math.Min(best, acc / (p * p * 3));
                    }
                sum += Math.Sqrt(best);
                count++;
            }
        Assert.Equal(sum / count, TextureMetrics.Compare(output, sample, patch: p).Coherence, 12);
    }
}
