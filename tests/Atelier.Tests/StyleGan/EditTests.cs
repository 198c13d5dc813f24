using Atelier.StyleGan;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.StyleGan;

/// <summary>Latent arithmetic, degradation operators and seed lists on hand-made tensors.</summary>
public class EditTests
{
    [Fact]
    public void MorphExpressionAndSequence()
    {
        using var scope = NewDisposeScope();
        var w1 = full(1, 3, 2f);
        var w2 = zeros(1, 3);
        Assert.Equal(0.5f, LatentEdits.Morph(w1, w2, 0.25)[0, 0].item<float>(), 6); // 0.25 * 2 + 0.75 * 0
        var seq = LatentEdits.MorphSequence(w1, w2, 3);
        Assert.Equal(new[] { 2f, 1f, 0f }, Enumerable.Range(0, 3).Select(i => seq[i, 0].item<float>()).ToArray());
        var e = LatentEdits.Expression(ones(1, 3), full(1, 3, 1f), full(1, 3, 3f), 0.5); // 1 + 0.5 (3 - 1)
        Assert.Equal(2f, e[0, 2].item<float>(), 6);
        Assert.Throws<AtelierUsageException>(() => LatentEdits.MorphSequence(w1, w2, 1));
    }

    [Fact]
    public void DegradationsComputeTheirObservations()
    {
        using var scope = NewDisposeScope();
        // Downsampling is a box average.
        var img = arange(16, dtype: float32).reshape(1, 1, 4, 4).expand(1, 3, 4, 4);
        var low = Degradation.Downsample(2).Apply(img);
        Assert.Equal(new long[] { 1, 3, 2, 2 }, low.shape);
        Assert.Equal((0 + 1 + 4 + 5) / 4f, low[0, 0, 0, 0].item<float>(), 5);

        // The mask zeroes the hole in both the output and the observation.
        var keep = ones(1, 1, 4, 4);
        keep[0, 0, 1, 1] = tensor(0f);
        var masked = Degradation.Mask(keep).Observe(ones(1, 3, 4, 4));
        Assert.Equal(0f, masked[0, 2, 1, 1].item<float>());
        Assert.Equal(1f, masked[0, 2, 0, 0].item<float>());

        // Grayscale: BT.601 luminance in every channel.
        var rgb = tensor(new float[] { 1, 0, 0 }).view(1, 3, 1, 1);
        var gray = Degradation.Grayscale().Apply(rgb);
        Assert.Equal(new long[] { 1, 3, 1, 1 }, gray.shape);
        Assert.Equal(0.299f, gray[0, 1, 0, 0].item<float>(), 5);

        // Edges: flat images have (almost) none; a full black-to-white step gives 1 along it (Sobel gain 4 x step 2, / 8).
        var edges = Degradation.Edges();
        Assert.True(Degradation.EdgeMap(full(1, 3, 6, 6, 0.3f)).max().item<float>() < 1e-2);
        Assert.True(edges.Apply(full(1, 3, 6, 6, 0.3f)).max().item<float>() < -0.98); // as an image in [-1, 1]: black
        var step = cat(new[] { full(1, 3, 6, 3, -1f), full(1, 3, 6, 3, 1f) }, 3);
        var e = Degradation.EdgeMap(step);
        Assert.Equal(new long[] { 1, 1, 6, 6 }, e.shape);
        Assert.Equal(1f, e[0, 0, 3, 2].item<float>(), 3);
        Assert.True(e[0, 0, 3, 0].item<float>() < 1e-2);

        // The observation is the sketch itself as an edge map: a dark stroke on white paper and a bright stroke on
        // black read the same (stroke 1, paper 0).
        var paper = full(1, 3, 6, 6, 1f);
        paper[.., .., .., 2] = tensor(-1f);
        var ink = full(1, 3, 6, 6, -1f);
        ink[.., .., .., 2] = tensor(1f);
        foreach (var sketch in new[] { paper, ink })
        {
            var o = edges.Observe(sketch);
            Assert.Equal(new long[] { 1, 1, 6, 6 }, o.shape);
            Assert.Equal(1f, o[0, 0, 3, 2].item<float>(), 5);
            Assert.Equal(-1f, o[0, 0, 3, 0].item<float>(), 5);
        }
        Assert.Equal(1f, edges.Apply(step)[0, 0, 3, 2].item<float>(), 3); // a full step's edge is a full stroke
    }

    [Fact]
    public void SeedListsParseRangesAndRefuseNonsense()
    {
        Assert.Equal(new long[] { 1, 2, 3, 7 }, SeedList.Parse("1-3,7"));
        Assert.Throws<AtelierUsageException>(() => SeedList.Parse("5-2"));
        Assert.Throws<AtelierUsageException>(() => SeedList.Parse("x"));
        using var scope = NewDisposeScope();
        // A seed's z does not depend on the other seeds.
        Assert.Equal(SeedList.Z(4, 8)[0, 3].item<float>(), SeedList.Z(4, 8)[0, 3].item<float>());
        Assert.NotEqual(SeedList.Z(4, 8)[0, 3].item<float>(), SeedList.Z(5, 8)[0, 3].item<float>());
    }

    [Fact]
    public void NoiseRegularisationPenalisesCorrelatedNoise()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var white = new[] { randn(1, 1, 16, 16) };
        var smooth = new[] { ones(1, 1, 16, 16) };
        Assert.True(Inversion.NoiseRegularize(smooth).item<float>() > 100 * Inversion.NoiseRegularize(white).item<float>());
        var n = randn(1, 1, 8, 8) * 3 + 2;
        Inversion.NormalizeNoise(new[] { n });
        Assert.Equal(0f, n.mean().item<float>(), 4);
        Assert.Equal(1f, n.std().item<float>(), 4);
    }
}
