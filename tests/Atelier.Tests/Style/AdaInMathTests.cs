using Atelier.Style;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

public class AdaInMathTests
{
    [Fact]
    public void MeanStdUsesTheUnbiasedVariancePlusEpsilon()
    {
        using var scope = NewDisposeScope();
        // One channel with values 1, 2, 3, 4: mean 2.5, unbiased variance 5/3.
        var x = tensor(new float[] { 1, 2, 3, 4 }).view(1, 1, 2, 2);
        var (mean, std) = AdaIn.MeanStd(x);
        Assert.Equal(2.5f, mean.item<float>(), 6);
        Assert.Equal(Math.Sqrt(5.0 / 3 + 1e-5), std.item<float>(), 6);
        var (_, std0) = AdaIn.MeanStd(full(1, 1, 2, 2, 7f));
        Assert.Equal(Math.Sqrt(1e-5), std0.item<float>(), 6); // a flat channel gets sqrt(eps), not 0
    }

    [Fact]
    public void TransferGivesTheStyleStatisticsAndKeepsTheContentPattern()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var content = randn(1, 8, 12, 10) * 3 + 1;
        var style = randn(1, 8, 7, 9) * rand(1, 8, 1, 1) * 5 - 2;
        var t = AdaIn.Transfer(content, style);
        var (tm, ts) = AdaIn.MeanStd(t, 0);
        var (sm, ss) = AdaIn.MeanStd(style, 0);
        Assert.True(tm.allclose(sm, rtol: 1e-4, atol: 1e-4));
        Assert.True(ts.allclose(ss, rtol: 1e-3, atol: 1e-3));
        // Per channel, the result is an increasing affine map of the content: correlation 1.
        var c0 = content[0, 0].flatten(); var t0 = t[0, 0].flatten();
        var corr = stack([c0, t0]).corrcoef()[0, 1].item<float>();
        Assert.Equal(1f, corr, 4);
    }

    [Fact]
    public void MaskedTransferUsesRegionStatisticsOnly()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var content = randn(1, 4, 8, 8);
        var mask = zeros(1, 1, 8, 8); mask[.., .., ..4, ..] = 1;
        // Make the unmasked half very different: it must not influence the masked half's statistics.
        content[.., .., 4.., ..] = content[.., .., 4.., ..] * 100 + 50;
        var style = randn(1, 4, 6, 6) * 2 + 3;
        var t = AdaIn.TransferMasked(content, style, mask);
        var top = t[.., .., ..4, ..];
        var (tm, ts) = AdaIn.MeanStd(top, 0);
        var (sm, ss) = AdaIn.MeanStd(style, 0);
        Assert.True(tm.allclose(sm, atol: 1e-4));
        Assert.True(ts.allclose(ss, rtol: 1e-3));
        Assert.Equal(0f, t[.., .., 4.., ..].abs().max().item<float>());
        // The same as plain AdaIN of the region alone.
        var direct = AdaIn.Transfer(content[.., .., ..4, ..], style);
        Assert.True(top.allclose(direct, atol: 1e-5));
    }

    [Fact]
    public void BlendMixesWithAlpha()
    {
        using var scope = NewDisposeScope();
        var a = ones(2, 2); var b = zeros(2, 2);
        Assert.True(AdaIn.Blend(a, b, 0.25).allclose(full(2, 2, 0.25f)));
        Assert.True(AdaIn.Blend(a, b, 1).allclose(a));
        Assert.True(AdaIn.Blend(a, b, 0).allclose(b));
    }

    [Fact]
    public void CoralGivesTheTargetsColourMeanAndCovariance()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        // Source: correlated channels; target: different means, scales and correlations.
        var baseS = rand(3, 40, 40);
        var source = stack([baseS[0], baseS[0] * 0.5 + baseS[1] * 0.5, baseS[2] * 0.2]);
        var baseT = rand(3, 40, 40);
        var target = stack([baseT[0] * 0.3 + 0.6, baseT[0] * 0.4 + baseT[1] * 0.2, 1 - baseT[2] * 0.7]);
        var r = ColorTransfer.Coral(source, target);
        Assert.Equal(source.shape, r.shape);
        var rf = r.reshape(3, -1); var tf = target.reshape(3, -1);
        Assert.True(rf.mean([1L]).allclose(tf.mean([1L]), atol: 1e-5));
        Assert.True(rf.std(1).allclose(tf.std(1), rtol: 1e-3));
        // The +I on both (unnormalised, n = 1600) correlation matrices perturbs the match by about 1/n.
        Assert.True(rf.corrcoef().allclose(tf.corrcoef(), atol: 2e-3));
    }

    [Fact]
    public void CoralRejectsNonRgb()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<AtelierException>(() => ColorTransfer.Coral(rand(1, 4, 4), rand(3, 4, 4)));
    }
}
