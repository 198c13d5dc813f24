using Atelier.Networks;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>The losses of Gatys, Ecker and Bethge (2015, 2016), as formulas on tensors.</summary>
public static class GatysLosses
{
    /// <summary>
    /// One layer's style (texture) loss E_l = 1/(4 N² M²) Σ_ij (G_ij − Â_ij)², with G and Â the Gram matrices of
    /// the generated and the target image (N channels, M positions). Takes Grams already divided by M
    /// (<see cref="GramMatrix.Normalised"/>), where it is 1/(4 N²) Σ (G/M − Â/M)², the same number. Summed over the batch.
    /// </summary>
    public static Tensor StyleLayer(Tensor normalisedGram, Tensor normalisedTarget)
    {
        long n = normalisedGram.shape[^1];
        using var diff = normalisedGram - normalisedTarget;
        using var sq = diff.square();
        using var sum = sq.sum();
        return sum.div(4.0 * n * n);
    }

    /// <summary>
    /// Content loss ½ Σ (F − P)² / (N·M): the paper's squared error, divided by the number of feature values so that
    /// the balance between content and style weights does not change with the image size.
    /// </summary>
    public static Tensor Content(Tensor features, Tensor target)
    {
        using var diff = features - target;
        using var sq = diff.square();
        using var mean = sq.mean();
        return mean.mul(0.5);
    }

    /// <summary>
    /// The activation transform applied before the Gram and content comparisons. <see cref="ActivationSmoothing.Softmax"/>
    /// is SWAG (Wang, Li and Vasconcelos 2021): σ(F)_ik = exp(F_ik) / Σ_jm exp(F_jm), one softmax over all channels and
    /// positions of a layer, per image. Atelier multiplies it by the number of values C·H·W so the mean stays 1 and the
    /// loss weights keep their scale across layers and image sizes. Returns the input itself for None.
    /// </summary>
    public static Tensor Smooth(Tensor features, ActivationSmoothing smoothing)
    {
        if (smoothing == ActivationSmoothing.None) return features;
        long b = features.shape[0];
        long count = features.numel() / b;
        using var flat = features.reshape(b, -1);
        using var soft = flat.softmax(1);
        using var scaled = soft.mul((double)count);
        return scaled.reshape(features.shape);
    }

    /// <summary>
    /// Total variation Σ (x[i+1,j] − x[i,j])² + (x[i,j+1] − x[i,j])², averaged over pixels (smoothness prior). With
    /// <paramref name="wrap"/> the differences across the image's edges (last row to first, last column to first) count too.
    /// </summary>
    public static Tensor TotalVariation(Tensor image, bool wrap = false)
    {
        long h = image.shape[2], w = image.shape[3];
        if (wrap)
        {
            using var ry = image.roll(1, 2);
            using var rx = image.roll(1, 3);
            using var wy = (image - ry).square().sum();
            using var wx = (image - rx).square().sum();
            using var both = wy + wx;
            return both.div((double)(image.shape[0] * image.shape[1] * h * w));
        }
        using var dy = image.narrow(2, 1, h - 1) - image.narrow(2, 0, h - 1);
        using var dx = image.narrow(3, 1, w - 1) - image.narrow(3, 0, w - 1);
        using var sy = dy.square().sum();
        using var sx = dx.square().sum();
        using var total = sy + sx;
        return total.div((double)(image.shape[0] * image.shape[1] * h * w));
    }
}
