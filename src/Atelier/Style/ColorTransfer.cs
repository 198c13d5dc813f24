using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Colour transfer between images by matching mean and covariance of RGB (CORAL), exactly as pytorch-AdaIN's
/// <c>coral(source, target)</c> used for colour preservation: the source is standardised per channel, decorrelated with
/// the inverse square root of its (unnormalised) correlation matrix + I, re-correlated with the target's, and given the
/// target's per-channel std (unbiased) and mean. Square roots by SVD as in the reference.
/// </summary>
public static class ColorTransfer
{
    /// <summary>Recolours <paramref name="source"/> (3, H, W) or (1, 3, H, W) to the colour statistics of <paramref name="target"/>. Output unclamped.</summary>
    public static Tensor Coral(Tensor source, Tensor target)
    {
        using var scope = NewDisposeScope();
        var (sf, sMean, sStd) = FlattenMeanStd(source, "source");
        var (tf, tMean, tStd) = FlattenMeanStd(target, "target");
        var sNorm = (sf - sMean) / sStd;
        var tNorm = (tf - tMean) / tStd;
        var eye3 = eye(3, dtype: sNorm.dtype, device: sNorm.device);
        var sCov = sNorm.mm(sNorm.t()) + eye3;
        var tCov = tNorm.mm(tNorm.t()) + eye3;
        var transferred = MatSqrt(tCov).mm(linalg.inv(MatSqrt(sCov)).mm(sNorm));
        var result = transferred * tStd + tMean;
        return result.view(source.shape).MoveToOuterDisposeScope();
    }

    static (Tensor Flat, Tensor Mean, Tensor Std) FlattenMeanStd(Tensor image, string what)
    {
        var shape = image.shape;
        bool ok = (shape.Length == 3 && shape[0] == 3) || (shape.Length == 4 && shape[0] == 1 && shape[1] == 3);
        if (!ok) throw new AtelierException($"colour transfer needs one RGB image, the {what} has shape [{string.Join(", ", shape)}]");
        var flat = image.reshape(3, -1);
        return (flat, flat.mean([-1L], keepdim: true), flat.std(-1, unbiased: true, keepdim: true));
    }

    /// <summary>U diag(sqrt(s)) V^T, the reference's matrix square root (for a symmetric positive definite matrix).</summary>
    static Tensor MatSqrt(Tensor x)
    {
        var (u, s, vh) = linalg.svd(x, fullMatrices: false);
        return u.mm(s.sqrt().diag()).mm(vh);
    }
}
