using Atelier.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Networks;

/// <summary>
/// InstanceNorm2d (no running statistics) that can take its statistics from an active <see cref="NormStatistics"/>
/// instead of its input, so that tiles of one image, or neighbouring video frames, are normalised alike. Without one
/// active it computes exactly what <c>nn.InstanceNorm2d</c> computes. The affine parameters are registered as
/// <c>weight</c> and <c>bias</c>, the names PyTorch's InstanceNorm2d gives them, so checkpoints load unchanged.
/// </summary>
public sealed class SharedInstanceNorm : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Parameter? weight, bias;

    public long Channels { get; }
    public double Eps { get; }

    public SharedInstanceNorm(long channels, bool affine, double eps = 1e-5) : base("SharedInstanceNorm")
    {
        Channels = channels;
        Eps = eps;
        if (affine)
        {
            weight = new TorchSharp.Modules.Parameter(ones(channels));
            bias = new TorchSharp.Modules.Parameter(zeros(channels));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != Channels)
            throw new ArgumentException($"SharedInstanceNorm over {Channels} channels takes N×{Channels}×H×W, got [{string.Join(", ", x.shape)}]");
        var stats = NormStatistics.Current;
        if (stats is null)
            return nn.functional.instance_norm(x, weight: weight, bias: bias, eps: Eps);
        using var scope = NewDisposeScope();
        var (mean, variance, _) = stats.MeanVar(x);
        // The statistics are shared by every item of the batch, so this is batch norm with them as running statistics:
        // (x - mean) / sqrt(var + eps) * weight + bias in one fused pass, one output and no full-size temporaries.
        var y = nn.functional.batch_norm(x, mean[0].reshape(Channels), variance[0].reshape(Channels), weight, bias, training: false, eps: Eps);
        return y.MoveToOuterDisposeScope();
    }
}
