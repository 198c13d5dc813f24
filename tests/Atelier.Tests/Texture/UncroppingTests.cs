using Atelier.Imaging;
using Atelier.Texture.Optimization;
using Xunit;

namespace Atelier.Tests.Texture;

/// <summary>Uncrop: the margin grown around a picture continues it, and the picture stays bit for bit.</summary>
public class UncroppingTests
{
    [Fact]
    public void TheGrownMarginContinuesThePatternAndThePictureStaysExact()
    {
        var whole = SyntheticTextures.DiagonalStripes(96, 96);
        var middle = ImageOps.Crop(whole, 16, 16, 64, 64);
        var grown = Uncropping.Extend(middle, 16, UncropSides.All, new TextureOptimizationOptions(), new Random(1));
        Assert.Equal((96, 96), (grown.Width, grown.Height));
        Assert.Equal(middle.Data, ImageOps.Crop(grown, 16, 16, 64, 64).Data);
        // The margin against what the stripes really are there (a pattern out of step scores below 17 dB).
        double se = 0; int n = 0;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 96; y++)
                for (int x = 0; x < 96; x++)
                    if (x < 16 || y < 16 || x >= 80 || y >= 80) { double d = grown[c, y, x] - whole[c, y, x]; se += d * d; n++; }
        double psnr = 10 * Math.Log10(n / se);
        // 16.5 dB before the coarse-to-fine step kept the last patches' offsets (a shifted strip along the right edge).
        Assert.True(psnr > 40, $"PSNR in the margin {psnr:0.0} dB");
    }

    [Fact]
    public void OnlyTheChosenSidesGrowAndTheSeedDecides()
    {
        var picture = ImageOps.Crop(SyntheticTextures.DiagonalStripes(64, 64), 0, 0, 48, 40);
        var wide = Uncropping.Extend(picture, 8, UncropSides.LeftRight, new TextureOptimizationOptions { Iterations = 4 }, new Random(2));
        Assert.Equal((64, 40), (wide.Width, wide.Height));
        var tall = Uncropping.Extend(picture, 8, UncropSides.TopBottom, new TextureOptimizationOptions { Iterations = 4 }, new Random(2));
        Assert.Equal((48, 56), (tall.Width, tall.Height));
        var again = Uncropping.Extend(picture, 8, UncropSides.LeftRight, new TextureOptimizationOptions { Iterations = 4, MaxThreads = 1 }, new Random(2));
        Assert.Equal(wide.Data, again.Data);
    }

    [Fact]
    public void ABorderOfNothingOrWiderThanThePictureIsRefused()
    {
        var picture = SyntheticTextures.DiagonalStripes(32, 24);
        Assert.Contains("Border 0", Assert.Throws<AtelierUsageException>(() => Uncropping.Extend(picture, 0, UncropSides.All, null, new Random(1))).Message);
        Assert.Contains("height (24 px)", Assert.Throws<AtelierUsageException>(() => Uncropping.Extend(picture, 30, UncropSides.All, null, new Random(1))).Message);
        Assert.Equal(UncropSides.TopBottom, Uncropping.ParseSides("Top-Bottom"));
        Assert.Throws<AtelierUsageException>(() => Uncropping.ParseSides("diagonal"));
    }
}
