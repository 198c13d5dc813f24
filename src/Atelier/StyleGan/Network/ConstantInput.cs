using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>The learned 4x4 tensor the synthesis network starts from, repeated over the batch. Key: `input` (1, C, 4, 4).</summary>
public sealed class ConstantInput : nn.Module
{
    readonly Parameter input;

    public ConstantInput(long channels, long size = 4) : base(nameof(ConstantInput))
    {
        input = new Parameter(randn(1, channels, size, size));
        register_parameter("input", input);
    }

    public Tensor forward(long batch) => input.repeat(batch, 1, 1, 1);
}
