using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using Atelier.Style;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

/// <summary>Gram matrices, loss normalisations, Gram mixing, and that the optimisations lower their losses (tiny VGG).</summary>
public class GatysTests
{
    static readonly Lazy<Vgg> TinyVgg = new(() => Vgg.BuiltIn(VggPooling.Average, "relu5_1", VggConfig.Vgg19.Narrow(16)));

    static Image Pattern(int w, int h, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(w, h, 3);
        double fx = 0.3 + rng.NextDouble() * 0.5, fy = 0.2 + rng.NextDouble() * 0.5;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    img[c, y, x] = (float)(0.5 + 0.4 * Math.Sin(fx * x * (c + 1) + fy * y) * Math.Cos(0.1 * (x + y) + c));
        return img;
    }

    [Fact]
    public void Gram_IsFeatureOuterProductSummedOverPositions()
    {
        using var scope = NewDisposeScope();
        var f = randn(2, 3, 4, 5, dtype: ScalarType.Float64);
        var g = GramMatrix.Compute(f);
        var a = f.data<double>().ToArray();
        Assert.Equal(new long[] { 2, 3, 3 }, g.shape);
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    double s = 0;
                    for (int k = 0; k < 20; k++) s += a[(b * 3 + i) * 20 + k] * a[(b * 3 + j) * 20 + k];
                    Assert.Equal(s, g[b, i, j].item<double>(), 10);
                }
        Assert.True(GramMatrix.Normalised(f).allclose(g / 20.0));
    }

    [Fact]
    public void StyleLayerLoss_IsPaperFormula()
    {
        using var scope = NewDisposeScope();
        var f = randn(1, 4, 6, 7, dtype: ScalarType.Float64);
        var p = randn(1, 4, 6, 7, dtype: ScalarType.Float64);
        // E = 1/(4 N^2 M^2) sum (G - A)^2 with the paper's unnormalised Grams.
        double n = 4, m = 42;
        var g = GramMatrix.Compute(f); var a = GramMatrix.Compute(p);
        double expected = (g - a).square().sum().item<double>() / (4 * n * n * m * m);
        double actual = GatysLosses.StyleLayer(GramMatrix.Normalised(f), GramMatrix.Normalised(p)).item<double>();
        Assert.Equal(expected, actual, 12);
        Assert.True(expected > 0);
        // Size-independent: the same texture tiled twice has (almost) the same loss against the same target.
        var tiled = cat([f, f], 3);
        Assert.Equal(0.0, GatysLosses.StyleLayer(GramMatrix.Normalised(tiled), GramMatrix.Normalised(f)).item<double>(), 12);
    }

    [Fact]
    public void ContentAndTotalVariation_AreNormalisedSums()
    {
        using var scope = NewDisposeScope();
        var f = tensor(new double[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2);
        var p = tensor(new double[] { 0, 2, 5, 4 }).reshape(1, 1, 2, 2);
        Assert.Equal(0.5 * (1 + 0 + 4 + 0) / 4, GatysLosses.Content(f, p).item<double>(), 12);
        // TV: vertical diffs (3-1),(4-2); horizontal (2-1),(4-3): (4+4+1+1)/4 pixels.
        Assert.Equal(10.0 / 4, GatysLosses.TotalVariation(f).item<double>(), 12);
    }

    [Fact]
    public void SeveralStyles_MixGramsByWeight()
    {
        using var scope = NewDisposeScope();
        var vgg = TinyVgg.Value;
        var a = ImageTensors.ToTensor(Pattern(32, 32, 1));
        var b = ImageTensors.ToTensor(Pattern(40, 24, 2));
        var options = new GatysTextureOptions { StyleLayers = ["relu1_1", "relu3_1"] };
        using var mixed = new GatysObjective(vgg, options, [(a, 0.7), (b, 0.3)], [], null, 0);
        using var onlyA = new GatysObjective(vgg, options, [(a, 1.0)], [], null, 0);
        using var onlyB = new GatysObjective(vgg, options, [(b, 2.0)], [], null, 0);
        for (int i = 0; i < 2; i++)
        {
            var expected = onlyA.StyleTargets[i] * 0.7 + onlyB.StyleTargets[i] * 0.3;
            Assert.True(mixed.StyleTargets[i].allclose(expected, rtol: 1e-5, atol: 1e-7));
            Assert.False(onlyA.StyleTargets[i].allclose(onlyB.StyleTargets[i], rtol: 1e-2, atol: 1e-4));
        }
        // Weights are relative: 7:3 is 0.7:0.3.
        using var scaled = new GatysObjective(vgg, options, [(a, 7.0), (b, 3.0)], [], null, 0);
        Assert.True(scaled.StyleTargets[1].allclose(mixed.StyleTargets[1], rtol: 1e-5, atol: 1e-7));
    }

    sealed class Recorder : IProgress<ProgressReport>
    {
        public readonly List<ProgressReport> Reports = [];
        public void Report(ProgressReport value) => Reports.Add(value);
    }

    [Theory]
    [InlineData(GatysOptimizer.Lbfgs)]
    [InlineData(GatysOptimizer.Adam)]
    public void TextureSynthesis_LowersTheStyleLoss(GatysOptimizer optimizer)
    {
        var rec = new Recorder();
        var options = new GatysTextureOptions { Iterations = 25, Optimizer = optimizer, Seed = 3, LearningRate = optimizer == GatysOptimizer.Adam ? 0.05 : null };
        var result = GatysTexture.Synthesize(Pattern(32, 32, 5), 40, 24, TinyVgg.Value, options, rec);
        Assert.Equal(40, result.Image.Width);
        Assert.Equal(24, result.Image.Height);
        Assert.Equal(25, rec.Reports.Count);
        double first = rec.Reports[0].Metrics!["style"], last = result.Losses["style"];
        Assert.True(last < first * 0.5, $"style loss {first} -> {last}");
        Assert.All(result.Image.Data, v => Assert.InRange(v, 0f, 1f));
    }

    /// <summary>
    /// Fixed-step L-BFGS jumps uphill now and then; a jump late in a scale used to be the result. The result is the best
    /// image visited: with steps a thousand times too long, whose last images are far worse than the start, it is still
    /// no worse than the start, and its losses are its own.
    /// </summary>
    [Fact]
    public void Lbfgs_EndsOnTheBestImageItVisited()
    {
        var rec = new Recorder();
        var options = new GatysTextureOptions { Iterations = 12, Seed = 3, Scales = 1, LearningRate = 1000 };
        var result = GatysTexture.Synthesize(Pattern(32, 32, 5), 32, 32, TinyVgg.Value, options, rec);
        var seen = rec.Reports.Select(r => r.Metrics!["loss"]).ToList();
        Assert.True(seen.Max() > 10 * seen[0], $"the steps should overshoot: {string.Join(", ", seen.Select(v => v.ToString("G3")))}");
        Assert.True(result.Losses["loss"] <= seen.Min() * (1 + 1e-5), $"result {result.Losses["loss"]:G4}, best seen {seen.Min():G4}");
    }

    [Fact]
    public void TextureSynthesis_SameSeedSameResult_AndFramesAreDelivered()
    {
        var frames = new List<int>();
        var options = new GatysTextureOptions { Iterations = 6, Seed = 9, SaveEvery = 2, OnFrame = (s, img) => { frames.Add(s); Assert.Equal(24, img.Width); } };
        var a = GatysTexture.Synthesize(Pattern(24, 24, 1), 24, 24, TinyVgg.Value, options);
        var b = GatysTexture.Synthesize(Pattern(24, 24, 1), 24, 24, TinyVgg.Value, options with { OnFrame = null });
        Assert.Equal(a.Image.Data, b.Image.Data);
        Assert.Equal([2, 4], frames);
    }

    [Fact]
    public void StyleTransfer_LowersTheLossAndKeepsContentSize()
    {
        var rec = new Recorder();
        var options = new GatysStyleOptions { Iterations = 20, StyleWeight = 1e4, ContentLayers = ["relu3_1"], TvWeight = 1e-3, Scales = 2 };
        var result = GatysStyleTransfer.Run(Pattern(48, 32, 1), [new(Pattern(30, 30, 2), 0.5), new(Pattern(20, 36, 3), 0.5)], TinyVgg.Value, options, rec);
        Assert.Equal(48, result.Image.Width);
        Assert.Equal(32, result.Image.Height);
        Assert.Equal(40, rec.Reports.Count);
        Assert.Equal("scale 1/2", rec.Reports[0].Stage);
        var fine = rec.Reports.Skip(20).ToList();
        Assert.True(fine[^1].Metrics!["loss"] < fine[0].Metrics!["loss"], $"{fine[0].Metrics!["loss"]} -> {fine[^1].Metrics!["loss"]}");
        Assert.Contains("content", result.Losses.Keys);
        Assert.Contains("tv", result.Losses.Keys);
    }

    [Fact]
    public void LuminanceTransfer_KeepsTheContentsChrominance()
    {
        using var scope = NewDisposeScope();
        var content = Pattern(32, 32, 4);
        var options = new GatysStyleOptions { Iterations = 5, PreserveColor = ColorPreservation.Luminance, ContentLayers = ["relu2_1"] };
        var result = GatysStyleTransfer.Run(content, [new(Pattern(32, 32, 6))], TinyVgg.Value, options);
        var iqOut = GatysColor.RgbToYiq(ImageTensors.ToTensor(result.Image)).narrow(1, 1, 2);
        var iqIn = GatysColor.RgbToYiq(ImageTensors.ToTensor(content)).narrow(1, 1, 2);
        // Equal up to clamping to [0,1] and 8-bit-free float round trip.
        Assert.True((iqOut - iqIn).abs().mean().item<float>() < 0.01f);
    }

    [Fact]
    public void MatchColor_GivesTheReferenceMeanAndCovariance()
    {
        using var scope = NewDisposeScope();
        var src = ImageTensors.ToTensor(Pattern(32, 32, 1)) * 0.5 + 0.1;
        var reference = ImageTensors.ToTensor(Pattern(32, 32, 8)) * 0.6 + 0.2;
        var matched = GatysColor.MatchColor(src, reference);
        static (Tensor, Tensor) Stats(Tensor t)
        {
            var f = t.to(ScalarType.Float64).reshape(3, -1);
            var mu = f.mean([1], keepdim: true);
            var c = f - mu;
            return (mu, c.matmul(c.t()) / f.shape[1]);
        }
        var (m1, c1) = Stats(matched); var (m2, c2) = Stats(reference);
        Assert.True(m1.allclose(m2, rtol: 0, atol: 2e-3));
        Assert.True(c1.allclose(c2, rtol: 0, atol: 2e-3));
    }

    [Fact]
    public void BadOptions_NameTheOption()
    {
        var vgg = TinyVgg.Value;
        var img = Pattern(16, 16, 1);
        var e = Assert.Throws<AtelierUsageException>(() => GatysTexture.Synthesize(img, 16, 16, vgg, new GatysTextureOptions { StyleLayers = ["relu9_1"] }));
        Assert.Contains("StyleLayers: unknown VGG layer 'relu9_1'", e.Message);
        e = Assert.Throws<AtelierUsageException>(() => GatysTexture.Synthesize(img, 16, 16, vgg, new GatysTextureOptions { StyleLayerWeights = [1, 2] }));
        Assert.Contains("StyleLayerWeights: 2 weights for 5 layers", e.Message);
        e = Assert.Throws<AtelierUsageException>(() => GatysTexture.Synthesize(img, 16, 16, vgg, new GatysTextureOptions { StyleWeight = 0 }));
        Assert.Contains("StyleWeight", e.Message);
        e = Assert.Throws<AtelierUsageException>(() => GatysStyleTransfer.Run(img, [new(img, -1)], vgg));
        Assert.Contains("Styles: weight -1", e.Message);
        e = Assert.Throws<AtelierUsageException>(() => GatysStyleTransfer.Run(img, [new(img)], vgg, new GatysStyleOptions { ContentLayers = ["relu4_9"] }));
        Assert.Contains("ContentLayers", e.Message);
        e = Assert.Throws<AtelierUsageException>(() => GatysStyleTransfer.Run(img, [new(img)], vgg, new GatysStyleOptions { ContentWeight = -1 }));
        Assert.Contains("ContentWeight", e.Message);
        using var shallow = Vgg.BuiltIn(upToLayer: "relu2_1", config: VggConfig.Vgg19.Narrow(16));
        e = Assert.Throws<AtelierUsageException>(() => GatysTexture.Synthesize(img, 16, 16, shallow));
        Assert.Contains("stops at relu2_1", e.Message);
    }
}
