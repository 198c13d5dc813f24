using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training;

/// <summary>
/// Takes an optimiser step only when the loss and every gradient are finite. Why: one non-finite value would otherwise
/// poison the weights and Adam's moments for good, and every later step and checkpoint with them. Early StyleGAN runs
/// hit it through a libtorch convolution fault that SafeConv now avoids (docs/performance.md); the guard stays for runs
/// that really diverge, which then show it as a count of skipped updates rather than as NaN weights.
/// </summary>
public static class FiniteUpdate
{
    /// <summary>Steps and returns true, or clears the gradients and returns false.</summary>
    public static bool Step(AdamOptimizer optimizer, nn.Module module, Tensor loss)
    {
        using var scope = NewDisposeScope();
        var total = loss.detach().sum().to_type(float64);
        foreach (var p in module.parameters())
            if (p.grad is { } g) total = total + g.sum().to_type(float64);
        if (total.isfinite().item<bool>())
        {
            optimizer.Step();
            return true;
        }
        optimizer.ZeroGrad();
        return false;
    }
}
