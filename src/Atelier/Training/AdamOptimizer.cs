using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training;

/// <summary>
/// Adam as PyTorch computes it (bias-corrected moments, eps added after the square root), written out so its
/// whole state (moments and step) is plain named tensors that a run checkpoint saves and restores exactly.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    readonly (string Name, Parameter Param)[] _params;
    readonly Tensor[] _m, _v;

    public double LearningRate { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    /// <summary>Updates taken so far (the bias correction's t).</summary>
    public long Steps { get; private set; }

    public AdamOptimizer(IEnumerable<(string Name, Parameter Param)> parameters, double lr = 2e-4, double beta1 = 0.5, double beta2 = 0.999, double eps = 1e-8)
    {
        _params = parameters.ToArray();
        LearningRate = lr; Beta1 = beta1; Beta2 = beta2; Eps = eps;
        _m = new Tensor[_params.Length];
        _v = new Tensor[_params.Length];
        for (int i = 0; i < _params.Length; i++)
        {
            _m[i] = zeros_like(_params[i].Param).DetachFromDisposeScope();
            _v[i] = zeros_like(_params[i].Param).DetachFromDisposeScope();
        }
    }

    /// <summary>Adam over a module's parameters (names as in its state dict).</summary>
    public static AdamOptimizer For(nn.Module module, double lr = 2e-4, double beta1 = 0.5, double beta2 = 0.999) =>
        new(module.named_parameters(), lr, beta1, beta2);

    public void ZeroGrad()
    {
        foreach (var (_, p) in _params)
        {
            using var g = p.grad;
            g?.zero_();
        }
    }

    public void Step()
    {
        Steps++;
        double bc1 = 1 - Math.Pow(Beta1, Steps), bc2 = 1 - Math.Pow(Beta2, Steps);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (int i = 0; i < _params.Length; i++)
        {
            var p = _params[i].Param;
            var g = p.grad;
            if (g is null) continue;
            _m[i].mul_(Beta1).add_(g, 1 - Beta1);
            _v[i].mul_(Beta2).addcmul_(g, g, 1 - Beta2);
            var denom = (_v[i].sqrt() / Math.Sqrt(bc2)).add_(Eps);
            p.addcdiv_(_m[i], denom, -LearningRate / bc1);
        }
    }

    /// <summary>The moments as named tensors (prefix.exp_avg.NAME, prefix.exp_avg_sq.NAME) for a checkpoint.</summary>
    public void SaveState(string prefix, IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata)
    {
        for (int i = 0; i < _params.Length; i++)
        {
            tensors[$"{prefix}.exp_avg.{_params[i].Name}"] = _m[i];
            tensors[$"{prefix}.exp_avg_sq.{_params[i].Name}"] = _v[i];
        }
        metadata[$"{prefix}.steps"] = Steps.ToString(System.Globalization.CultureInfo.InvariantCulture);
        metadata[$"{prefix}.lr"] = LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    public void LoadState(string prefix, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < _params.Length; i++)
        {
            _m[i].copy_(Checkpointing.Require(tensors, $"{prefix}.exp_avg.{_params[i].Name}", _m[i].shape));
            _v[i].copy_(Checkpointing.Require(tensors, $"{prefix}.exp_avg_sq.{_params[i].Name}", _v[i].shape));
        }
        Steps = long.Parse(Checkpointing.Require(metadata, $"{prefix}.steps"), System.Globalization.CultureInfo.InvariantCulture);
        LearningRate = double.Parse(Checkpointing.Require(metadata, $"{prefix}.lr"), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        foreach (var t in _m) t.Dispose();
        foreach (var t in _v) t.Dispose();
    }
}

/// <summary>Checks of Adam's settings shared by the trainers, naming the parameter at fault.</summary>
public static class AdamSettings
{
    /// <summary>A positive, finite learning rate and betas in [0, 1).</summary>
    public static void Validate(double learningRate, double beta1, double beta2 = 0.999)
    {
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new AtelierUsageException($"{{LearningRate}} {learningRate}: must be a positive number");
        if (!(beta1 >= 0 && beta1 < 1)) throw new AtelierUsageException($"{{Beta1}} {beta1}: must be at least 0 and below 1");
        if (!(beta2 >= 0 && beta2 < 1)) throw new AtelierUsageException($"{{Beta2}} {beta2}: must be at least 0 and below 1");
    }
}
