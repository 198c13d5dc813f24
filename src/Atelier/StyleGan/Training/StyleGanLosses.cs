using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan.Training;

/// <summary>The losses of rosinality's train.py: d_logistic_loss, d_r1_loss, g_nonsaturating_loss, g_path_regularize.</summary>
public static class StyleGanLosses
{
    /// <summary>Non-saturating logistic D loss: softplus(D(fake)) + softplus(-D(real)), each a batch mean.</summary>
    public static Tensor DiscriminatorLogistic(Tensor realPred, Tensor fakePred)
    {
        using var scope = NewDisposeScope();
        return (F.softplus(-realPred).mean() + F.softplus(fakePred).mean()).MoveToOuterDisposeScope();
    }

    /// <summary>Non-saturating G loss: softplus(-D(fake)), a batch mean.</summary>
    public static Tensor GeneratorNonSaturating(Tensor fakePred)
    {
        using var scope = NewDisposeScope();
        return F.softplus(-fakePred).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// R1: E_batch |grad_x D(x)|^2 at the real images (<paramref name="realImages"/> must require grad and
    /// <paramref name="realPred"/> = D(realImages)). The graph is kept (create_graph) so the penalty trains D.
    /// </summary>
    public static Tensor R1(Tensor realPred, Tensor realImages)
    {
        using var scope = NewDisposeScope();
        var grad = autograd.grad(new[] { realPred.sum() }, new[] { realImages }, retain_graph: true, create_graph: true)[0];
        return grad.pow(2).reshape(grad.shape[0], -1).sum(1).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Path-length regularisation: the lengths |J_w^T y| for y ~ N(0, I) / sqrt(H W) over the w+ code, pulled toward
    /// their running mean (decay 0.01). Returns the penalty, the updated mean (detached) and the lengths' mean.
    /// </summary>
    public static (Tensor Penalty, double MeanPathLength, double PathLength) PathLength(Tensor fakeImages, Tensor latents, double meanPathLength, double decay = 0.01)
    {
        using var scope = NewDisposeScope();
        var noise = randn_like(fakeImages) / Math.Sqrt(fakeImages.shape[2] * fakeImages.shape[3]);
        var grad = autograd.grad(new[] { (fakeImages * noise).sum() }, new[] { latents }, retain_graph: true, create_graph: true)[0];
        var lengths = grad.pow(2).sum(2).mean(new long[] { 1 }).sqrt();
        // As the reference, the updated mean keeps its graph inside the penalty (it moves with the batch's lengths).
        var pathMean = meanPathLength + decay * (lengths.mean() - meanPathLength);
        var penalty = (lengths - pathMean).pow(2).mean();
        return (penalty.MoveToOuterDisposeScope(), pathMean.item<float>(), lengths.mean().item<float>());
    }
}
