using Atelier.Imaging;
using Atelier.Texture;
using Xunit;

namespace Atelier.Tests.Texture;

public class HoleFillingTests
{
    static (Image Image, bool[] Hole) WithSquareHole(Image image, int x0, int y0, int size)
    {
        var hole = new bool[image.PlaneSize];
        for (int y = y0; y < y0 + size; y++)
            for (int x = x0; x < x0 + size; x++) hole[y * image.Width + x] = true;
        // Scribble over the hole so a test would notice if it were read.
        var damaged = image.Clone();
        for (int c = 0; c < image.Channels; c++)
            for (int i = 0; i < hole.Length; i++) if (hole[i]) damaged.Data[c * image.PlaneSize + i] = 0.5f;
        return (damaged, hole);
    }

    [Fact]
    public void UnmaskedPixelsComeBackBitForBit()
    {
        var image = SyntheticTextures.Organic(24, 24, 4);
        image.Data[5] = 1e-30f; // a denormal-ish value survives untouched too
        var (damaged, hole) = WithSquareHole(image, 8, 9, 6);
        var filled = HoleFilling.Fill(damaged, hole, new EfrosLeungOptions { Window = 5 }, new Random(1));
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < hole.Length; i++)
            {
                int k = c * image.PlaneSize + i;
                if (!hole[i]) Assert.Equal(BitConverter.SingleToInt32Bits(damaged.Data[k]), BitConverter.SingleToInt32Bits(filled.Data[k]));
                else Assert.True(float.IsFinite(filled.Data[k]));
            }
        Assert.NotEqual(damaged.Data, filled.Data); // the hole did change
    }

    [Fact]
    public void PeriodicImageIsRestoredExactly()
    {
        var image = SyntheticTextures.Checkerboard(24, 24, 2, channels: 3);
        var (damaged, hole) = WithSquareHole(image, 9, 8, 7);
        var filled = HoleFilling.Fill(damaged, hole, new EfrosLeungOptions { Window = 5 }, new Random(3));
        Assert.Equal(image.Data, filled.Data);
    }

    [Fact]
    public void FastEngineGivesTheReferenceResult()
    {
        var image = SyntheticTextures.Organic(22, 22, 8);
        var (damaged, hole) = WithSquareHole(image, 6, 7, 8);
        var a = HoleFilling.Fill(damaged, hole, new EfrosLeungOptions { Window = 5 }, new Random(5));
        var b = HoleFilling.Fill(damaged, hole, new EfrosLeungOptions { Window = 5, Engine = SearchEngine.Reference }, new Random(5));
        Assert.Equal(b.Data, a.Data);
    }

    [Fact]
    public void ASampleRegionLimitsWhereTheFillCopiesFrom()
    {
        // Left half red, right half blue; the hole in the blue half, but only the red half may be copied from.
        var image = new Image(32, 32, 3);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) { image[0, y, x] = x < 16 ? 1 : 0; image[2, y, x] = x < 16 ? 0 : 1; }
        var (damaged, hole) = WithSquareHole(image, 20, 12, 6);
        var region = Enumerable.Range(0, 32 * 32).Select(i => i % 32 < 14).ToArray();
        var filled = HoleFilling.Fill(damaged, hole, region, new EfrosLeungOptions { Window = 5 }, new Random(1));
        Assert.True(filled[0, 14, 22] > 0.9f && filled[2, 14, 22] < 0.1f, "the hole is not from the red region");
        var free = HoleFilling.Fill(damaged, hole, new EfrosLeungOptions { Window = 5 }, new Random(1));
        Assert.True(free[2, 14, 22] > 0.9f, "without a region the blue surroundings fill the hole");
        var none = Enumerable.Range(0, 32 * 32).Select(i => i % 32 < 3).ToArray(); // narrower than the window
        Assert.Contains("{Window}", Assert.Throws<AtelierUsageException>(() => HoleFilling.Fill(damaged, hole, none, new EfrosLeungOptions { Window = 5 }, new Random(1))).Template);
    }

    /// <summary>Red above, blue below, and a hole across the whole width where they meet.</summary>
    static (Image Image, bool[] Hole) RedOverBlue()
    {
        var image = new Image(40, 40, 3);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) { image[0, y, x] = y < 20 ? 1 : 0; image[2, y, x] = y < 20 ? 0 : 1; }
        var hole = Band(40, 12, 28);
        var damaged = image.Clone();
        for (int c = 0; c < 3; c++) for (int i = 0; i < hole.Length; i++) if (hole[i]) damaged.Data[c * hole.Length + i] = 0.5f;
        return (damaged, hole);
    }

    static bool[] Band(int size, int y0, int y1) => Enumerable.Range(0, size * size).Select(i => i / size >= y0 && i / size < y1).ToArray();

    static double MeanRedInHole(Image filled, bool[] hole) =>
        Enumerable.Range(0, hole.Length).Where(i => hole[i]).Average(i => (double)filled.Data[i]);

    [Fact]
    public void TheFillOrderDecidesWhichSideIsCarriedAcrossTheHole()
    {
        var (image, hole) = RedOverBlue();
        var opt = new EfrosLeungOptions { Window = 5 };
        // Efros-Leung's own order closes the hole from both sides: red meets blue in the middle.
        Assert.InRange(MeanRedInHole(HoleFilling.Fill(image, hole, opt, new Random(1)), hole), 0.3, 0.7);
        // From one side, that side's colour crosses the hole (the last rows see the far side too).
        Assert.True(MeanRedInHole(HoleFilling.Fill(image, hole, opt with { Order = GrowthOrder.FromTop }, new Random(1)), hole) > 0.9);
        Assert.True(MeanRedInHole(HoleFilling.Fill(image, hole, opt with { Order = GrowthOrder.FromBottom }, new Random(1)), hole) < 0.1);
    }

    [Fact]
    public void RefinementPassesRematchTheHoleAndKeepEverythingElse()
    {
        var image = SyntheticTextures.Organic(28, 28, 6);
        var (damaged, hole) = WithSquareHole(image, 9, 8, 10);
        var opt = new EfrosLeungOptions { Window = 5 };
        var grown = HoleFilling.Fill(damaged, hole, opt, new Random(4));
        var refined = HoleFilling.Fill(damaged, hole, opt with { RefinementPasses = 2 }, new Random(4));
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < hole.Length; i++)
                if (!hole[i]) Assert.Equal(damaged.Data[c * hole.Length + i], refined.Data[c * hole.Length + i]);
        Assert.NotEqual(grown.Data, refined.Data);
        Assert.Equal(refined.Data, HoleFilling.Fill(damaged, hole, opt with { RefinementPasses = 2 }, new Random(4)).Data); // seeded
        Assert.Contains("{RefinementPasses}", Assert.Throws<AtelierUsageException>(() => HoleFilling.Fill(damaged, hole, opt with { RefinementPasses = -1 }, new Random(4))).Template);
    }

    [Fact]
    public void TheSamplingRingIsTheHolesSurroundingsWithinTheRadius()
    {
        var hole = new bool[20 * 20];
        hole[10 * 20 + 10] = true;
        var ring = HoleFilling.SamplingRing(hole, 20, 20, 3);
        Assert.False(ring[10 * 20 + 10]); // never the hole itself
        Assert.True(ring[10 * 20 + 13] && ring[7 * 20 + 10] && ring[12 * 20 + 12]); // 3 px away; (2,2) is 2.8 px
        Assert.False(ring[10 * 20 + 14] || ring[13 * 20 + 13]); // 4 px; (3,3) is 4.2 px
        Assert.Equal(28, ring.Count(r => r)); // the 29 pixels of a radius-3 disc, less the hole
        Assert.Contains("{Ring}", Assert.Throws<AtelierUsageException>(() => HoleFilling.SamplingRing(hole, 20, 20, 0)).Template);
    }

    [Fact]
    public void MaskImageWhiteMarksTheHole()
    {
        var mask = new Image(4, 2, 3);
        for (int c = 0; c < 3; c++) { mask[c, 0, 1] = 1; mask[c, 1, 3] = 0.7f; mask[c, 1, 0] = 0.2f; }
        Assert.Equal([false, true, false, false, false, false, false, true], HoleFilling.HoleFromMask(mask));
    }

    [Fact]
    public void MaskOfAnotherSizeIsRejected()
    {
        var image = SyntheticTextures.Organic(20, 20, 1);
        var e = Assert.Throws<AtelierUsageException>(() => HoleFilling.Fill(image, new Image(21, 20, 1)));
        Assert.Contains("Mask", e.Message);
        Assert.Equal("Mask", e.Parameter);
        Assert.Contains("21x20", e.Message);
    }

    [Fact]
    public void EmptyAndFullMasksAreRejected()
    {
        var image = SyntheticTextures.Organic(20, 20, 1);
        var empty = new Image(20, 20, 1);
        var full = new Image(20, 20, 1);
        Array.Fill(full.Data, 1f);
        Assert.Contains("no pixel", Assert.Throws<AtelierUsageException>(() => HoleFilling.Fill(image, empty)).Message);
        Assert.Contains("whole image", Assert.Throws<AtelierUsageException>(() => HoleFilling.Fill(image, full)).Message);
    }

    [Fact]
    public void HoleThatLeavesNoCompleteWindowIsRejected()
    {
        var image = SyntheticTextures.Organic(12, 12, 1);
        var (damaged, hole) = WithSquareHole(image, 3, 3, 6);
        var e = Assert.Throws<AtelierUsageException>(() => HoleFilling.Fill(damaged, hole, new EfrosLeungOptions { Window = 7 }, new Random(1)));
        Assert.Contains("Window 7", e.Message);
    }
}
