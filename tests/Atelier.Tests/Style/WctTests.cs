using Atelier.Style;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

public class WctTests
{
    static Tensor Correlated(int c, int h, int w, int seed)
    {
        manual_seed(seed);
        var mix = randn(c, c, dtype: ScalarType.Float64);
        var f = mix.mm(randn(c, h * w, dtype: ScalarType.Float64)) + randn(c, 1, dtype: ScalarType.Float64) * 3;
        return f.reshape(1, c, h, w);
    }

    [Fact]
    public void WhitenedFeaturesHaveIdentityCovariance()
    {
        using var scope = NewDisposeScope();
        var f = Correlated(6, 10, 12, 1);
        var w = Wct.Whiten(f);
        Assert.Equal(new long[] { 6, 120 }, w.shape);
        Assert.True(w.mean([1L]).abs().max().item<double>() < 1e-10);
        var cov = Wct.Covariance(w);
        Assert.True(cov.allclose(eye(6, dtype: ScalarType.Float64), atol: 1e-8));
    }

    [Fact]
    public void ColouredFeaturesHaveTheStyleCovarianceAndMean()
    {
        using var scope = NewDisposeScope();
        var content = Correlated(5, 9, 9, 2);
        var style = Correlated(5, 7, 11, 3);
        var t = Wct.Colour(Wct.Whiten(content), style);
        var s = style.reshape(5, -1);
        Assert.True(t.mean([1L]).allclose(s.mean([1L]), atol: 1e-8));
        var tc = Wct.Covariance(t - t.mean([1L], keepdim: true));
        var sc = Wct.Covariance(s - s.mean([1L], keepdim: true));
        Assert.True(tc.allclose(sc, rtol: 1e-6, atol: 1e-8));
    }

    [Fact]
    public void RankDeficientStyleKeepsOnlyItsSubspace()
    {
        using var scope = NewDisposeScope();
        var content = Correlated(4, 8, 8, 4);
        // Style with channels 2 and 3 constant: covariance of rank 2.
        var style = Correlated(4, 6, 6, 5).clone();
        style[0, 2] = full(6, 6, 1.5, dtype: ScalarType.Float64);
        style[0, 3] = full(6, 6, -2.0, dtype: ScalarType.Float64);
        var t = Wct.Colour(Wct.Whiten(content), style);
        Assert.True(t[2].allclose(full(64, 1.5, dtype: ScalarType.Float64), atol: 1e-6));
        Assert.True(t[3].allclose(full(64, -2.0, dtype: ScalarType.Float64), atol: 1e-6));
    }

    [Fact]
    public void TransferBlendsWithAlphaAndKeepsShapeAndDtype()
    {
        using var scope = NewDisposeScope();
        var content = Correlated(4, 6, 5, 6).to(ScalarType.Float32);
        var style = Correlated(4, 5, 5, 7).to(ScalarType.Float32);
        var full1 = Wct.Transfer(content, style, 1.0, ridge: 0);
        Assert.Equal(content.shape, full1.shape);
        Assert.Equal(ScalarType.Float32, full1.dtype);
        Assert.True(Wct.Transfer(content, style, 0.0).allclose(content));
        var half = Wct.Transfer(content, style, 0.5, ridge: 0);
        Assert.True(half.allclose((full1 + content) / 2, atol: 1e-4));
    }

    [Fact]
    public void ReferenceRidgeShrinksWhitening()
    {
        using var scope = NewDisposeScope();
        var f = Correlated(3, 10, 10, 8);
        var cov = Wct.Covariance(Wct.Whiten(f, ridge: 1.0));
        // With C + I whitened, the covariance is C (C + I)^-1: eigenvalues λ/(λ+1) < 1.
        var eig = linalg.eigvalsh(cov);
        var expected = linalg.eigvalsh(Wct.Covariance(f.reshape(3, -1).to(ScalarType.Float64) - f.reshape(3, -1).to(ScalarType.Float64).mean([1L], keepdim: true)));
        Assert.True(eig.allclose(expected / (expected + 1), rtol: 1e-6));
    }
}
