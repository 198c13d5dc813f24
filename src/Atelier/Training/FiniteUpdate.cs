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
    /// <summary>
    /// Steps and returns true, or clears the gradients and returns false; before clearing, <paramref name="onSkip"/>
    /// gets which gradients are not finite: how many, and the last in the module's order, nearest the output, where a
    /// non-finite value that spread backwards entered (null when only the loss is not finite).
    /// </summary>
    public static bool Step(AdamOptimizer optimizer, nn.Module module, Tensor loss, Action<string?>? onSkip = null)
    {
        using var scope = NewDisposeScope();
        // Summed in float64: a float32 sum of large but finite gradients can overflow and would skip a good update.
        var total = loss.detach().to_type(float64).sum();
        foreach (var p in module.parameters())
            if (p.grad is { } g) total = total + g.to_type(float64).sum();
        if (total.isfinite().item<bool>())
        {
            optimizer.Step();
            return true;
        }
        onSkip?.Invoke(DescribeNonFiniteGradients(module));
        optimizer.ZeroGrad();
        return false;
    }

    static string? DescribeNonFiniteGradients(nn.Module module)
    {
        using var scope = NewDisposeScope();
        var bad = module.named_parameters().Where(p => p.parameter.grad is { } g && !g.isfinite().all().item<bool>()).Select(p => p.name).ToList();
        return bad.Count == 0 ? null : $"{bad[^1]} ({bad.Count} of {module.parameters().Count()} parameters)";
    }
}
