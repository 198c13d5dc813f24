using Atelier.Texture;
using Xunit;

namespace Atelier.Tests.Texture;

public class QuiltingTests
{
    [Fact]
    public void BoundaryCutIsTheCheapestConnectedPath()
    {
        var rng = new Random(2);
        int w = 4, h = 6;
        var err = Enumerable.Range(0, w * h).Select(_ => rng.NextDouble()).ToArray();
        var (path, cost) = BoundaryCut.Vertical(err, w, h);
        Assert.All(path.Zip(path.Skip(1)), p => Assert.True(Math.Abs(p.First - p.Second) <= 1));
        // Brute force over all 8-connected paths.
        double best = double.PositiveInfinity;
        void Walk(int y, int x, double acc)
        {
            acc += err[y * w + x];
            if (y == h - 1) { best = Math.Min(best, acc); return; }
            for (int nx = Math.Max(0, x - 1); nx <= Math.Min(w - 1, x + 1); nx++) Walk(y + 1, nx, acc);
        }
        for (int x = 0; x < w; x++) Walk(0, x, 0);
        Assert.Equal(best, cost, 9);
        Assert.True(cost <= BoundaryCut.BestStraightVertical(err, w, h) + 1e-12);
    }

    [Fact]
    public void SeamsCostNoMoreThanAStraightCut()
    {
        var sample = SyntheticTextures.Organic(24, 24, 3);
        var r = Quilting.SynthesizeWithSeams(sample, 40, 36, new QuiltingOptions { Block = 8, Overlap = 3 }, new Random(1));
        Assert.Equal(40, r.Image.Width);
        Assert.Equal(36, r.Image.Height);
        Assert.NotEmpty(r.Seams);
        Assert.Contains(r.Seams, s => s.Vertical);
        Assert.Contains(r.Seams, s => !s.Vertical);
        Assert.All(r.Seams, s => Assert.True(s.CutCost <= s.BestStraightCost * (1 + 1e-9) + 1e-12, $"{s}"));
        Assert.Contains(r.Seams, s => s.CutCost < s.BestStraightCost * 0.999); // and usually strictly less
    }

    [Fact]
    public void FastEngineGivesTheReferenceResultAndSeedIsDeterministic()
    {
        var sample = SyntheticTextures.Organic(24, 24, 5);
        var opt = new QuiltingOptions { Block = 9 };
        var a = Quilting.Synthesize(sample, 36, 33, opt, seed: 3);
        var b = Quilting.Synthesize(sample, 36, 33, opt with { Engine = SearchEngine.Reference }, seed: 3);
        var c = Quilting.Synthesize(sample, 36, 33, opt, seed: 3);
        var d = Quilting.Synthesize(sample, 36, 33, opt, seed: 4);
        Assert.Equal(b.Data, a.Data);
        Assert.Equal(a.Data, c.Data);
        Assert.NotEqual(a.Data, d.Data);
    }

    [Fact]
    public void PeriodicTextureQuiltsWithoutVisibleSeams()
    {
        // Every overlap of a periodic texture has an exact match, so quilting reproduces the period everywhere.
        var sample = SyntheticTextures.Checkerboard(20, 20, 2, channels: 3);
        var output = Quilting.Synthesize(sample, 36, 36, new QuiltingOptions { Block = 8, Overlap = 2 }, seed: 2);
        for (int y = 0; y + 4 < 36; y++)
            for (int x = 0; x + 4 < 36; x++)
            {
                Assert.Equal(output[0, y, x], output[0, y + 4, x]);
                Assert.Equal(output[0, y, x], output[0, y, x + 4]);
            }
        var m = TextureMetrics.Compare(output, sample, patch: 5);
        Assert.Equal(0, m.Coherence, 6);
    }

    [Theory]
    [InlineData(30, 0, "Block 30")]
    [InlineData(8, 8, "Overlap 8")]
    [InlineData(-3, 0, "Block -3")]
    public void BadBlockOrOverlapIsAUsageError(int block, int overlap, string message)
    {
        var sample = SyntheticTextures.Organic(20, 20, 1);
        var e = Assert.Throws<AtelierUsageException>(() => Quilting.Synthesize(sample, 30, 30, new QuiltingOptions { Block = block, Overlap = overlap }, seed: 1));
        Assert.Contains(message, e.Message);
    }
}
