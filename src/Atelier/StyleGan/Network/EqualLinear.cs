using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

/// <summary>
/// Linear layer with the equalised learning rate: the stored weight is N(0,1)/lr_mul and is scaled at run time by
/// lr_mul/sqrt(in); the bias by lr_mul. With <c>fusedLeakyRelu</c> the output goes through
/// <see cref="FusedLeakyReLU.Apply"/>. Keys: `weight` (out, in), `bias` (out).
/// </summary>
public sealed class EqualLinear : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;
    public double Scale { get; }
    public double LrMul { get; }
    public bool FusedLeakyRelu { get; }

    public EqualLinear(long inDim, long outDim, bool bias = true, float biasInit = 0, double lrMul = 1, bool fusedLeakyRelu = false)
        : base(nameof(EqualLinear))
    {
        weight = new Parameter(randn(outDim, inDim).div_(lrMul));
        register_parameter("weight", weight);
        if (bias)
        {
            this.bias = new Parameter(full(outDim, biasInit));
            register_parameter("bias", this.bias);
        }
        Scale = 1 / Math.Sqrt(inDim) * lrMul;
        LrMul = lrMul;
        FusedLeakyRelu = fusedLeakyRelu;
    }

    public Tensor Weight => weight;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var w = weight * Scale;
        var b = bias is null ? null : bias * LrMul;
        var output = FusedLeakyRelu ? FusedLeakyReLU.Apply(F.linear(input, w), b) : F.linear(input, w, b);
        return output.MoveToOuterDisposeScope();
    }
}
