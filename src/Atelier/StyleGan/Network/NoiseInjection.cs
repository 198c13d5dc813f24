using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>Adds per-pixel noise (one map shared by all channels) scaled by a learned strength. Key: `weight` (1).</summary>
public sealed class NoiseInjection : nn.Module
{
    readonly Parameter weight;

    public NoiseInjection() : base(nameof(NoiseInjection))
    {
        weight = new Parameter(zeros(1));
        register_parameter("weight", weight);
    }

    /// <summary>image + weight * noise; with no noise given, fresh N(0,1) noise of shape (batch, 1, H, W).</summary>
    public Tensor forward(Tensor image, Tensor? noise)
    {
        using var scope = NewDisposeScope();
        noise ??= randn(image.shape[0], 1, image.shape[2], image.shape[3], dtype: image.dtype, device: image.device);
        return (image + weight * noise).MoveToOuterDisposeScope();
    }
}
