using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Networks;

/// <summary>
/// Drop-in for <c>nn.ConvTranspose2d</c> (keys <c>weight</c> (in, out, k, k) and <c>bias</c>, same initialisation)
/// computed by <see cref="SafeConv.ConvTranspose2d"/>: libtorch 2.10's own transposed convolution runs the faulty
/// oneDNN backward-data kernel even in the forward pass.
/// </summary>
public sealed class SafeConvTranspose2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;

    public long Stride { get; }
    public long Padding { get; }
    public long OutputPadding { get; }
    public long Groups { get; }

    public SafeConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long outputPadding = 0, bool bias = true, long groups = 1)
        : base("ConvTranspose2d")
    {
        using (var template = nn.ConvTranspose2d(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups: groups, bias: bias))
        using (no_grad())
        {
            weight = new Parameter(template.weight!.detach().clone().DetachFromDisposeScope());
            if (bias) this.bias = new Parameter(template.bias!.detach().clone().DetachFromDisposeScope());
        }
        register_parameter("weight", weight);
        if (this.bias is not null) register_parameter("bias", this.bias);
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        Groups = groups;
    }

    public Parameter Weight => weight;
    public Parameter? Bias => bias;

    public override Tensor forward(Tensor input) =>
        SafeConv.ConvTranspose2d(input, weight, bias, Stride, Padding, OutputPadding, Groups);
}
