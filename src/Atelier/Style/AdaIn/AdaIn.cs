using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Adaptive instance normalisation (Huang and Belongie 2017): AdaIN(x, y) = σ(y) (x − μ(x)) / σ(x) + μ(y), with
/// per-channel statistics over the spatial positions. Statistics follow naoto0804/pytorch-AdaIN exactly: the
/// unbiased variance (n − 1) plus 1e-5 before the square root.
/// </summary>
public static class AdaIn
{
    /// <summary>The reference's epsilon, added to the variance.</summary>
    public const double Epsilon = 1e-5;

    /// <summary>Per-channel mean and standard deviation of (N, C, H, W) features, each shaped (N, C, 1, 1).</summary>
    public static (Tensor Mean, Tensor Std) MeanStd(Tensor features, double eps = Epsilon)
    {
        if (features.dim() != 4) throw new ArgumentException($"features must be N×C×H×W, got [{string.Join(", ", features.shape)}]", nameof(features));
        long n = features.shape[0], c = features.shape[1];
        if (features.shape[2] * features.shape[3] < 2)
            throw new AtelierException($"features of {features.shape[2]}x{features.shape[3]} positions have no variance; the image is too small for the encoder");
        using var scope = NewDisposeScope();
        var flat = features.reshape(n, c, -1);
        var variance = flat.var(2, unbiased: true) + eps;
        var std = variance.sqrt().view(n, c, 1, 1);
        var mean = flat.mean([2L]).view(n, c, 1, 1);
        return (mean.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope());
    }

    /// <summary>AdaIN of content features against style features (batches of equal size, or one style for every content).</summary>
    public static Tensor Transfer(Tensor content, Tensor style, double eps = Epsilon)
    {
        if (content.shape[1] != style.shape[1])
            throw new AtelierException($"content features have {content.shape[1]} channels, style features {style.shape[1]}");
        using var scope = NewDisposeScope();
        var (cm, cs) = MeanStd(content, eps);
        var (sm, ss) = MeanStd(style, eps);
        var result = (content - cm) / cs * ss + sm;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// AdaIN restricted to the positions where <paramref name="mask"/> (N, 1, H, W of 0/1 at the feature size) is set:
    /// the content statistics are taken over those positions only (as the original Torch AdaIN's spatial control does),
    /// and only those positions are returned changed; the others are zero.
    /// </summary>
    public static Tensor TransferMasked(Tensor content, Tensor style, Tensor mask, double eps = Epsilon)
    {
        using var scope = NewDisposeScope();
        long n = content.shape[0], c = content.shape[1];
        var m = mask.to(content.dtype).reshape(n, 1, -1);
        var count = m.sum([2L], keepdim: true);
        if (count.min().item<float>() < 2)
            throw new AtelierException("a mask region covers fewer than two feature positions; it is too small for spatial control");
        var flat = content.reshape(n, c, -1);
        var mean = (flat * m).sum([2L], keepdim: true) / count;
        var variance = ((flat - mean).square() * m).sum([2L], keepdim: true) / (count - 1) + eps;
        var std = variance.sqrt();
        var (sm, ss) = MeanStd(style, eps);
        var t = (flat - mean) / std * ss.reshape(style.shape[0], c, 1) + sm.reshape(style.shape[0], c, 1);
        return (t * m).reshape(content.shape).MoveToOuterDisposeScope();
    }

    /// <summary>alpha · t + (1 − alpha) · content: the reference's content–style trade-off.</summary>
    public static Tensor Blend(Tensor transferred, Tensor content, double alpha)
    {
        if (alpha == 1.0) return transferred.alias();
        return transferred * alpha + content * (1.0 - alpha);
    }
}
