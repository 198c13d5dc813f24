using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Atelier.Training;

/// <summary>The reference's --gan_mode.</summary>
public enum GanMode
{
    /// <summary>Binary cross-entropy with logits against 1 (real) / 0 (fake): the original GAN (pix2pix default).</summary>
    Vanilla,
    /// <summary>Least squares: MSE against 1 / 0 (CycleGAN default).</summary>
    Lsgan,
    /// <summary>Wasserstein: -mean for real, +mean for fake; pair with <see cref="GanLoss.GradientPenalty"/>.</summary>
    Wgangp,
}

/// <summary>The reference's GANLoss and cal_gradient_penalty.</summary>
public static class GanLoss
{
    public static GanMode Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "vanilla" => GanMode.Vanilla,
        "lsgan" => GanMode.Lsgan,
        "wgangp" => GanMode.Wgangp,
        _ => throw new AtelierUsageException($"{{GanMode}} {text}: expected vanilla, lsgan or wgangp"),
    };

    /// <summary>The loss of discriminator output <paramref name="prediction"/> against the label real / fake.</summary>
    public static Tensor Loss(GanMode mode, Tensor prediction, bool targetIsReal)
    {
        switch (mode)
        {
            case GanMode.Vanilla:
            {
                using var target = targetIsReal ? ones_like(prediction) : zeros_like(prediction);
                return functional.binary_cross_entropy_with_logits(prediction, target);
            }
            case GanMode.Lsgan:
            {
                using var target = targetIsReal ? ones_like(prediction) : zeros_like(prediction);
                return functional.mse_loss(prediction, target);
            }
            default:
                return targetIsReal ? -prediction.mean() : prediction.mean();
        }
    }

    /// <summary>
    /// WGAN-GP's penalty (the reference's 'mixed' type): lambda * mean((|grad D(x)| - 1)^2) at random points x
    /// between real and fake (one mixing weight per sample, drawn from torch's generator).
    /// </summary>
    public static Tensor GradientPenalty(Module<Tensor, Tensor> discriminator, Tensor real, Tensor fake, double lambdaGp = 10.0)
    {
        using var scope = NewDisposeScope();
        var alpha = rand(real.shape[0], 1, 1, 1, device: real.device).expand_as(real);
        var mixed = (alpha * real + (1 - alpha) * fake.detach()).requires_grad_(true);
        var output = discriminator.forward(mixed);
        var grads = autograd.grad([output], [mixed], [ones_like(output)], retain_graph: true, create_graph: true)[0];
        // The reference's (grad + 1e-16).norm(2, dim=1) over each flattened sample.
        var norm = (grads.reshape(grads.shape[0], -1) + 1e-16).norm(1, false, 2);
        return ((norm - 1).pow(2).mean() * lambdaGp).MoveToOuterDisposeScope();
    }
}
