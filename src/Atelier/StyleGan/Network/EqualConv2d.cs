using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Atelier.Networks;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

/// <summary>Conv2d with the equalised learning rate: weight N(0,1) scaled by 1/sqrt(in k k) at run time. Keys: `weight`, `bias`.</summary>
public sealed class EqualConv2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;
    readonly long stride, padding;
    public double Scale { get; }

    public EqualConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true)
        : base(nameof(EqualConv2d))
    {
        weight = new Parameter(randn(outChannels, inChannels, kernelSize, kernelSize));
        register_parameter("weight", weight);
        if (bias)
        {
            this.bias = new Parameter(zeros(outChannels));
            register_parameter("bias", this.bias);
        }
        Scale = 1 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        this.stride = stride;
        this.padding = padding;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return SafeConv.Conv2d(input, weight * Scale, bias, stride, padding)
            .MoveToOuterDisposeScope();
    }
}
