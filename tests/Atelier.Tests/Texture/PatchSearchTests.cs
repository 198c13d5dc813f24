using Atelier.Texture;
using Xunit;

namespace Atelier.Tests.Texture;

public class PatchSearchTests
{
    [Fact]
    public void PrunedParallelSearchSelectsExactlyWhatTheReferenceSelects()
    {
        var sample = SyntheticTextures.Organic(40, 37, 3);
        var src = PatchSource.FromImage(sample);
        var rng = new Random(5);
        var valid = Enumerable.Range(0, 34 * 31).Select(_ => rng.NextDouble() > 0.2).ToArray();
        var grid = new CandidateGrid(0, 0, 34, 31, valid);
        var saved = PatchSearch.ParallelMinimum;
        PatchSearch.ParallelMinimum = 0; // force the multi-threaded path on this small case
        try
        {
            var fast = new PatchSearch(src, SearchEngine.Fast, maxThreads: 4);
            var reference = new PatchSearch(src, SearchEngine.Reference);
            for (int trial = 0; trial < 20; trial++)
            {
                // A partial 7x7 neighbourhood taken from a random place, with Gaussian-like weights and some noise.
                int ox = rng.Next(34), oy = rng.Next(31), n = 0;
                var dims = new SearchDim[7 * 7 * 3];
                float norm = 0;
                for (int dy = 0; dy < 7; dy++)
                    for (int dx = 0; dx < 7; dx++)
                    {
                        if (rng.NextDouble() < 0.4) continue;
                        float w = MathF.Exp(-((dy - 3) * (dy - 3) + (dx - 3) * (dx - 3)) / 4f);
                        for (int c = 0; c < 3; c++)
                        {
                            dims[n++] = new SearchDim(SearchDim.OffsetOf(src, c, dy, dx), sample[c, oy + dy, ox + dx] + 0.05f * (rng.NextSingle() - 0.5f), w);
                            norm += w;
                        }
                    }
                float band = trial % 2 == 0 ? 1.1f : 1f;
                var hints = new List<int> { rng.Next(grid.Count), rng.Next(grid.Count) };
                var a = new List<int>();
                var b = new List<int>();
                float minFast = fast.Search(grid, dims, n, norm, band, a, hints);
                float minRef = reference.Search(grid, dims, n, norm, band, b);
                Assert.Equal(minRef, minFast);
                Assert.Equal(b, a);
                foreach (var i in a) Assert.Equal(reference.Distances[i], fast.Distances[i]);
                Assert.All(a, i => Assert.True(valid[i]));
            }
        }
        finally { PatchSearch.ParallelMinimum = saved; }
    }

    [Fact]
    public void ParallelSynthesisGivesTheReferenceImage()
    {
        var saved = PatchSearch.ParallelMinimum;
        PatchSearch.ParallelMinimum = 0;
        try
        {
            var sample = SyntheticTextures.Organic(20, 20, 4);
            var el = new EfrosLeungOptions { Window = 5, MaxThreads = 4 };
            Assert.Equal(EfrosLeung.Synthesize(sample, 24, 24, el with { Engine = SearchEngine.Reference }, seed: 2).Data,
                EfrosLeung.Synthesize(sample, 24, 24, el, seed: 2).Data);
            var sc = new ScanlineOptions { Window = 5, Levels = 2, MaxThreads = 4 };
            Assert.Equal(Scanline.Synthesize(sample, 24, 24, sc with { Engine = SearchEngine.Reference }, seed: 2).Data,
                Scanline.Synthesize(sample, 24, 24, sc, seed: 2).Data);
        }
        finally { PatchSearch.ParallelMinimum = saved; }
    }
}
