using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Gram matrices of feature maps (Gatys et al. 2015): G_ij = Σ_k F_ik F_jk over the M = H·W positions of
/// channels i and j. Atelier keeps them divided by M (<see cref="Normalised"/>) so that Grams of images of different
/// sizes can be compared and averaged; the style loss puts the paper's 1/(4 N² M²) back exactly.
/// </summary>
public static class GramMatrix
{
    /// <summary>The paper's Gram matrix F Fᵀ of an (B, N, H, W) feature map: (B, N, N).</summary>
    public static Tensor Compute(Tensor features)
    {
        var (b, n) = (features.shape[0], features.shape[1]);
        using var f = features.reshape(b, n, -1);
        using var ft = f.transpose(1, 2);
        return f.bmm(ft);
    }

    /// <summary>F Fᵀ / M (M = H·W): the mean outer product of the feature vectors, independent of image size.</summary>
    public static Tensor Normalised(Tensor features)
    {
        long m = features.shape[2] * features.shape[3];
        using var g = Compute(features);
        return g.div(m);
    }
}
