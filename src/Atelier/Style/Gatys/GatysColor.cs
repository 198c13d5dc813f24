using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Colour handling for style transfer (Gatys, Ecker, Bethge, Hertzmann, Shechtman 2017): luminance-only transfer in
/// YIQ, and recolouring the style image to the content's colour statistics. Tensors are 1×3×H×W RGB in [0,1].
/// </summary>
public static class GatysColor
{
    // NTSC YIQ.
    static readonly float[,] RgbToYiqMatrix = { { 0.299f, 0.587f, 0.114f }, { 0.595716f, -0.274453f, -0.321263f }, { 0.211456f, -0.522591f, 0.311135f } };

    static Tensor Matrix(float[,] m, Tensor like) => tensor(m, dtype: like.dtype, device: like.device);

    static Tensor Apply(Tensor m, Tensor image)
    {
        var (b, h, w) = (image.shape[0], image.shape[2], image.shape[3]);
        using var flat = image.reshape(b, 3, -1);
        using var mixed = m.matmul(flat);
        return mixed.reshape(b, 3, h, w);
    }

    public static Tensor RgbToYiq(Tensor rgb) { using var m = Matrix(RgbToYiqMatrix, rgb); return Apply(m, rgb); }

    public static Tensor YiqToRgb(Tensor yiq)
    {
        using var m = Matrix(RgbToYiqMatrix, yiq);
        using var inv = linalg.inv(m);
        return Apply(inv, yiq);
    }

    /// <summary>The luminance Y repeated in three channels (what the network sees in luminance-only transfer).</summary>
    public static Tensor Luminance(Tensor rgb)
    {
        using var yiq = RgbToYiq(rgb);
        using var y = yiq.narrow(1, 0, 1);
        return y.expand(-1, 3, -1, -1).contiguous();
    }

    /// <summary>The luminance of <paramref name="stylisedGray"/> (its mean over channels) with the chrominance (I, Q) of <paramref name="content"/>.</summary>
    public static Tensor CombineLuminance(Tensor stylisedGray, Tensor content)
    {
        using var y = stylisedGray.mean([1], keepdim: true);
        using var yiq = RgbToYiq(content);
        using var iq = yiq.narrow(1, 1, 2);
        using var combined = cat([y, iq], 1);
        using var rgb = YiqToRgb(combined);
        return rgb.clamp(0, 1);
    }

    /// <summary>
    /// <paramref name="source"/> recoloured by an affine map so its RGB mean and covariance equal those of
    /// <paramref name="reference"/>: x' = Σ_r^½ Σ_s^-½ (x − μ_s) + μ_r (symmetric matrix square roots).
    /// </summary>
    public static Tensor MatchColor(Tensor source, Tensor reference, double eps = 1e-5)
    {
        using var scope = NewDisposeScope();
        var (muS, covS) = Stats(source, eps);
        var (muR, covR) = Stats(reference, eps);
        var a = SymmetricPower(covR, 0.5).matmul(SymmetricPower(covS, -0.5));
        var flat = source.to(ScalarType.Float64).reshape(3, -1);
        var mapped = a.matmul(flat - muS) + muR;
        return mapped.reshape(source.shape).to(source.dtype).clamp(0, 1).MoveToOuterDisposeScope();
    }

    static (Tensor Mean, Tensor Cov) Stats(Tensor image, double eps)
    {
        var flat = image.to(ScalarType.Float64).reshape(3, -1);
        var mu = flat.mean([1], keepdim: true);
        var c = flat - mu;
        var cov = c.matmul(c.t()) / flat.shape[1] + eye(3, dtype: ScalarType.Float64, device: image.device) * eps;
        return (mu, cov);
    }

    static Tensor SymmetricPower(Tensor m, double power)
    {
        var (values, vectors) = linalg.eigh(m);
        var p = values.clamp_min(1e-12).pow(power);
        return vectors.matmul(diag(p)).matmul(vectors.t());
    }
}
