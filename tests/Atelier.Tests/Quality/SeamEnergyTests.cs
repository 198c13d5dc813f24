using Atelier.Imaging;
using Atelier.Quality;
using Xunit;

namespace Atelier.Tests.Quality;

public class SeamEnergyTests
{
    /// <summary>A smooth random field of sinusoids; integer frequencies make it periodic over the image.</summary>
    static Image Field(int w, int h, bool periodic, int seed = 1)
    {
        var rng = new Random(seed);
        var img = new Image(w, h, 3);
        var waves = Enumerable.Range(0, 12).Select(_ => (
            fx: rng.Next(1, 6) + (periodic ? 0 : 0.37 + 0.2 * rng.NextDouble()),
            fy: rng.Next(1, 6) + (periodic ? 0 : 0.41 + 0.2 * rng.NextDouble()),
            phase: rng.NextDouble() * 2 * Math.PI, c: rng.Next(3))).ToArray();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                foreach (var (fx, fy, phase, c) in waves)
                    img[c, y, x] += (float)(0.08 * Math.Sin(2 * Math.PI * (fx * x / w + fy * y / h) + phase));
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] += 0.5f;
        return img;
    }

    [Fact]
    public void APeriodicFieldHasNoWrapSeamAndACutOneHasAClearOne()
    {
        var tile = SeamEnergy.Wrap(Field(64, 48, periodic: true));
        Assert.InRange(tile.Ratio, 0.5, 1.5);
        Assert.InRange(tile.Percentile, 0.05, 0.95);
        Assert.Equal(2, tile.Lines);

        var cut = SeamEnergy.Wrap(Field(64, 48, periodic: false));
        Assert.True(cut.Ratio > 5, $"ratio {cut.Ratio}");
        Assert.Equal(1.0, cut.Percentile);
    }

    [Fact]
    public void OneAxisAtATime()
    {
        // Periodic across, cut along: shift the rows so the vertical wrap breaks but the horizontal one holds.
        var field = Field(64, 48, periodic: true);
        var shifted = ImageOps.Crop(ImageOps.Pad(field, 0, 0, 0, 24, PadMode.Reflect), 0, 12, 64, 48);
        Assert.InRange(SeamEnergy.Wrap(shifted, horizontal: true, vertical: false).Ratio, 0.5, 1.5);
        Assert.True(SeamEnergy.Wrap(shifted, horizontal: false, vertical: true).Ratio > 3);
    }

    [Fact]
    public void TileBordersShowWhereTwoFieldsMeet()
    {
        var a = Field(64, 64, periodic: true, seed: 1);
        var b = Field(64, 64, periodic: true, seed: 2);
        var joined = a.Clone();
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 64; y++)
                for (int x = 32; x < 64; x++) joined[c, y, x] = b[c, y, x];
        Assert.True(SeamEnergy.Lines(joined, [32], []).Ratio > 5);
        // The same line in one field alone is ordinary.
        Assert.InRange(SeamEnergy.Lines(a, [32], []).Ratio, 0.5, 1.5);
    }

    [Fact]
    public void LinesOutsideTheImageAreRefused()
    {
        var img = Field(16, 16, periodic: true);
        Assert.Throws<AtelierUsageException>(() => SeamEnergy.Lines(img, [0], []));
        Assert.Throws<AtelierUsageException>(() => SeamEnergy.Lines(img, [], [16]));
        Assert.Throws<AtelierUsageException>(() => SeamEnergy.Lines(img, [], []));
    }
}
