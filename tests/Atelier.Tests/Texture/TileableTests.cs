using Atelier.Imaging;
using Atelier.Quality;
using Atelier.Texture;
using Xunit;

namespace Atelier.Tests.Texture;

/// <summary>
/// Tileable output of quilting, Efros-Leung and scanline: the seam across the wrap (<see cref="SeamEnergy.Wrap"/>,
/// about 1 where the wrap cannot be told from the image's own neighbouring columns and rows) stays low on the
/// tileable axes, while the same call without tiling gives a clear seam there, so each bound can fail.
/// </summary>
public class TileableTests
{
    /// <summary>
    /// Measured on the built-in pebbles sample over seeds 1-6 (docs/texture.md): tileable axes gave 0.05-1.2
    /// (quilting, scanline) and 0.3-2.6 (Efros-Leung, where the growth fronts meet at the wrap), untiled ones 1.6-20.
    /// The seeds below sit well inside the bound, so a change that breaks the wrap shows.
    /// </summary>
    const double Bound = 1.5;

    static (double H, double V) Ratios(Image image) =>
        (SeamEnergy.Wrap(image, true, false).Ratio, SeamEnergy.Wrap(image, false, true).Ratio);

    /// <summary>Both axes tile; one axis at a time tiles that axis; untiled, both seams are clearly higher.</summary>
    static void AssertTiles(Func<TileAxes, Image> make)
    {
        var none = Ratios(make(TileAxes.None));
        var both = Ratios(make(TileAxes.Both));
        Assert.True(both.H < Bound && both.V < Bound, $"tileable both: ratios {both}");
        Assert.True(none.H > Bound && none.H > 2 * both.H, $"untiled across columns {none.H} against tileable {both.H}");
        Assert.True(none.V > Bound && none.V > 2 * both.V, $"untiled across rows {none.V} against tileable {both.V}");
        var x = Ratios(make(TileAxes.Horizontal));
        var y = Ratios(make(TileAxes.Vertical));
        Assert.True(x.H < Bound, $"tileable x: ratio across columns {x.H}");
        Assert.True(y.V < Bound, $"tileable y: ratio across rows {y.V}");
    }

    [Fact]
    public void QuiltingTiles() => AssertTiles(t =>
        Quilting.Synthesize(ProceduralSamples.Make("pebbles", 48, 3), 96, 96, new QuiltingOptions { Block = 16, Tileable = t }, seed: 3));

    [Fact]
    public void EfrosLeungExactTiles() => AssertTiles(t =>
        EfrosLeung.Synthesize(ProceduralSamples.Make("pebbles", 24, 6), 32, 32, new EfrosLeungOptions { Window = 7, Tileable = t }, seed: 6));

    [Fact]
    public void ScanlineApproximateTiles() => AssertTiles(t =>
        Scanline.Synthesize(ProceduralSamples.Make("pebbles", 32, 3), 48, 48,
            new ScanlineOptions { Window = 7, Levels = 2, Approximate = true, Tileable = t }, seed: 3));

    [Fact]
    public void TileableSearchesStayExactDeterministicAndThreadIndependent()
    {
        var saved = PatchSearch.ParallelMinimum;
        PatchSearch.ParallelMinimum = 0; // the multi-threaded search on these small cases
        try
        {
            var sample = SyntheticTextures.Organic(20, 20, 5);
            foreach (var axes in new[] { TileAxes.Horizontal, TileAxes.Both })
            {
                var el = new EfrosLeungOptions { Window = 5, Tileable = axes };
                var elFast = EfrosLeung.Synthesize(sample, 24, 22, el, seed: 2);
                Assert.Equal(EfrosLeung.Synthesize(sample, 24, 22, el with { Engine = SearchEngine.Reference }, seed: 2).Data, elFast.Data);
                Assert.Equal(EfrosLeung.Synthesize(sample, 24, 22, el with { MaxThreads = 1 }, seed: 2).Data, elFast.Data);

                var sc = new ScanlineOptions { Window = 5, Levels = 2, Tileable = axes };
                var scFast = Scanline.Synthesize(sample, 26, 24, sc, seed: 2);
                Assert.Equal(Scanline.Synthesize(sample, 26, 24, sc with { Engine = SearchEngine.Reference }, seed: 2).Data, scFast.Data);
                Assert.Equal(Scanline.Synthesize(sample, 26, 24, sc with { MaxThreads = 1 }, seed: 2).Data, scFast.Data);

                var q = new QuiltingOptions { Block = 8, Tileable = axes };
                var qFast = Quilting.Synthesize(sample, 37, 43, q, seed: 2);
                Assert.Equal(Quilting.Synthesize(sample, 37, 43, q with { Engine = SearchEngine.Reference }, seed: 2).Data, qFast.Data);
                Assert.Equal(Quilting.Synthesize(sample, 37, 43, q with { MaxThreads = 1 }, seed: 2).Data, qFast.Data);
                Assert.NotEqual(Quilting.Synthesize(sample, 37, 43, q with { Tileable = TileAxes.None }, seed: 2).Data, qFast.Data);
            }
        }
        finally { PatchSearch.ParallelMinimum = saved; }
    }

    [Theory]
    [InlineData(64, 5)]  // size a whole number of steps: every overlap O
    [InlineData(70, 5)]  // remainder >= O: the wrap overlap grows
    [InlineData(67, 5)]  // remainder < O: the last block moves by half of it
    [InlineData(66, 1)]
    public void QuiltingBlocksGoRoundTheWrapWithOverlapsOfAtLeastOne(int size, int overlap)
    {
        const int block = 16;
        var starts = Quilter.Starts(size, block, overlap, wraps: true);
        Assert.True(starts.Length >= 2);
        Assert.Equal(0, starts[0]);
        for (int i = 1; i < starts.Length; i++)
        {
            int o = starts[i - 1] + block - starts[i];
            Assert.InRange(o, 1, overlap); // the left overlap never exceeds O, never vanishes
        }
        int wrap = starts[^1] + block - size;
        Assert.InRange(wrap, 1, block - overlap); // the last block reaches round to the first, not past the second's start
        Assert.True(starts[^2] + block <= size, "only the last block crosses the wrap");
    }

    [Fact]
    public void QuiltingTooNarrowToTileIsAUsageError()
    {
        var sample = ProceduralSamples.Make("bricks", 48, 1);
        var e = Assert.Throws<AtelierUsageException>(() =>
            Quilting.Synthesize(sample, 40, 200, new QuiltingOptions { Block = 24, Tileable = TileAxes.Horizontal }, seed: 1));
        Assert.StartsWith("{Size} 40x200: a tileable width must hold at least two blocks (48 px", e.Template);
        Quilting.Synthesize(sample, 200, 40, new QuiltingOptions { Block = 24, Tileable = TileAxes.Horizontal }, seed: 1); // height is free
    }

    [Fact]
    public void HoleFillingRefusesToWrap()
    {
        var image = ProceduralSamples.Make("bricks", 32, 1);
        var e = Assert.Throws<AtelierUsageException>(() =>
            HoleFilling.Fill(image, ProceduralSamples.EllipseMask(32, 32), new EfrosLeungOptions { Window = 5, Tileable = TileAxes.Both }, seed: 1));
        Assert.StartsWith("{Tileable} both:", e.Template);
    }

    [Fact]
    public void ATiledPreviewRepeatsTheImage()
    {
        var image = SyntheticTextures.Organic(5, 3, 1);
        var tiled = ImageOps.Tile(image, 2, 3);
        Assert.Equal((10, 9, 3), (tiled.Width, tiled.Height, tiled.Channels));
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 9; y++)
                for (int x = 0; x < 10; x++) Assert.Equal(image[c, y % 3, x % 5], tiled[c, y, x]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Tile(image, 0, 2));
    }
}
