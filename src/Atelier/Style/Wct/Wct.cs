using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Whitening and colouring transform (Li et al. 2017, "Universal Style Transfer via Feature Transforms"): the content
/// features are whitened (centred, multiplied by E D^-1/2 E^T of their covariance so their covariance becomes the
/// identity), then coloured with the style covariance (E_s D_s^1/2 E_s^T) and given the style mean. Eigenvalues below
/// 1e-5 are dropped, as in the reference PytorchWCT. Computed in float64 for stable eigendecompositions.
/// </summary>
public static class Wct
{
    /// <summary>Eigenvalues below this are treated as zero (the reference's threshold).</summary>
    public const double EigenThreshold = 1e-5;

    /// <summary>
    /// What PytorchWCT adds to the content covariance before whitening (its <c>+ torch.eye</c>): a ridge that keeps
    /// flat regions from being amplified. 0 gives exact whitening.
    /// </summary>
    public const double ReferenceRidge = 1.0;

    /// <summary>Whitened (C, H·W) features of (C, H, W) or (1, C, H, W) <paramref name="features"/>, in float64.</summary>
    public static Tensor Whiten(Tensor features, double ridge = 0)
    {
        using var scope = NewDisposeScope();
        var f = Flatten(features, "content");
        var centred = f - f.mean([1L], keepdim: true);
        var cov = Covariance(centred);
        if (ridge != 0) cov = cov + eye(cov.shape[0], dtype: cov.dtype, device: cov.device) * ridge;
        var (vals, vecs) = linalg.eigh(cov);
        var keep = vals > EigenThreshold;
        var e = vecs.index(TensorIndex.Colon, TensorIndex.Tensor(keep));
        var d = vals.index(TensorIndex.Tensor(keep)).pow(-0.5);
        var whitening = (e * d).mm(e.t());
        return whitening.mm(centred).MoveToOuterDisposeScope();
    }

    /// <summary>Colours whitened (C, H·W) features with the covariance and mean of style features (C, H', W').</summary>
    public static Tensor Colour(Tensor whitened, Tensor styleFeatures)
    {
        using var scope = NewDisposeScope();
        var s = Flatten(styleFeatures, "style");
        var mean = s.mean([1L], keepdim: true);
        var centred = s - mean;
        var (vals, vecs) = linalg.eigh(Covariance(centred));
        var keep = vals > EigenThreshold;
        var e = vecs.index(TensorIndex.Colon, TensorIndex.Tensor(keep));
        var d = vals.index(TensorIndex.Tensor(keep)).sqrt();
        var colouring = (e * d).mm(e.t());
        return (colouring.mm(whitened.to(ScalarType.Float64)) + mean).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The full transform of (1, C, H, W) content features with (1, C, H', W') style features, blended with alpha
    /// (alpha · WCT + (1 − alpha) · content), returned in the content's shape and dtype.
    /// </summary>
    public static Tensor Transfer(Tensor content, Tensor style, double alpha = 1.0, double ridge = ReferenceRidge)
    {
        if (content.shape[1] != style.shape[1])
            throw new AtelierException($"content features have {content.shape[1]} channels, style features {style.shape[1]}");
        using var scope = NewDisposeScope();
        var coloured = Colour(Whiten(content, ridge), style).to(content.dtype).view(content.shape);
        return AdaIn.Blend(coloured, content, alpha).MoveToOuterDisposeScope();
    }

    /// <summary>Unbiased covariance (divide by n − 1) of centred (C, n) features.</summary>
    public static Tensor Covariance(Tensor centred)
    {
        long n = centred.shape[1];
        if (n < 2) throw new AtelierException("WCT needs at least two feature positions; the image is too small");
        return centred.mm(centred.t()) / (n - 1);
    }

    static Tensor Flatten(Tensor features, string what)
    {
        var shape = features.shape;
        if (shape.Length == 4 && shape[0] != 1) throw new AtelierException($"WCT works on one image at a time, {what} features have batch {shape[0]}");
        if (shape.Length != 3 && shape.Length != 4) throw new AtelierException($"{what} features must be C×H×W, got [{string.Join(", ", shape)}]");
        long c = shape[^3];
        return features.reshape(c, -1).to(ScalarType.Float64);
    }
}
