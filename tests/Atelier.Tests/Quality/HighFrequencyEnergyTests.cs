using Atelier.Imaging;
using Atelier.Quality;
using Xunit;

namespace Atelier.Tests.Quality;

public class HighFrequencyEnergyTests
{
    static Image Grey(int w, int h, Func<int, int, double> f)
    {
        var img = new Image(w, h, 3);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) img.Data[(c * h + y) * w + x] = (float)f(x, y);
        return img;
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(48, 40)]   // not powers of two: the direct DFT path
    public void ACheckerboardIsAllHighAndASlowWaveAllLow(int w, int h)
    {
        var checker = Grey(w, h, (x, y) => (x + y) % 2);
        Assert.True(HighFrequencyEnergy.Fraction(checker) > 0.99);
        // 3 cycles across: 3/w cycles per pixel, far below a quarter.
        var wave = Grey(w, h, (x, y) => 0.5 + 0.4 * Math.Sin(2 * Math.PI * 3 * x / w));
        Assert.True(HighFrequencyEnergy.Fraction(wave) < 0.01);
        // A wave at 0.35 cycles per pixel, diagonal: radial 0.35·√2 > 0.25.
        var fine = Grey(w, h, (x, y) => 0.5 + 0.4 * Math.Sin(2 * Math.PI * 0.35 * (x + y)));
        Assert.True(HighFrequencyEnergy.Fraction(fine) > 0.9);
    }

    [Fact]
    public void TheArtifactRatioOfAnImageToItselfIsOneAndNoiseOnTopRaisesIt()
    {
        var rng = new Random(1);
        var smooth = Grey(64, 64, (x, y) => 0.5 + 0.2 * Math.Sin(x * 0.3) * Math.Cos(y * 0.2));
        Assert.Equal(1.0, HighFrequencyEnergy.ArtifactRatio(smooth, smooth), 6);
        var grid = Grey(64, 64, (x, y) => 0.5 + 0.2 * Math.Sin(x * 0.3) * Math.Cos(y * 0.2) + 0.05 * ((x / 2 + y / 2) % 2));
        Assert.True(HighFrequencyEnergy.ArtifactRatio(grid, smooth) > 3);
    }
}
