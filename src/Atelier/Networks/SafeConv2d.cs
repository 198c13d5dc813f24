using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Networks;

/// <summary>
/// Drop-in for <c>nn.Conv2d</c> (same keys <c>weight</c>/<c>bias</c>, same initialisation) whose input gradient is
/// computed by <see cref="SafeConv"/>, avoiding libtorch 2.10's faulty oneDNN backward-data kernel.
/// </summary>
public sealed class SafeConv2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;

    public long Stride { get; }
    public long Padding { get; }
    public long Groups { get; }

    public SafeConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true, long groups = 1)
        : base("Conv2d")
    {
        // Borrow torch's own initialisation (kaiming-uniform weight, uniform bias) so seeded runs draw the same numbers.
        using (var template = nn.Conv2d(inChannels, outChannels, kernelSize, stride, padding, groups: groups, bias: bias))
        using (no_grad())
        {
            weight = new Parameter(template.weight!.detach().clone().DetachFromDisposeScope());
            if (bias) this.bias = new Parameter(template.bias!.detach().clone().DetachFromDisposeScope());
        }
        register_parameter("weight", weight);
        if (this.bias is not null) register_parameter("bias", this.bias);
        Stride = stride;
        Padding = padding;
        Groups = groups;
    }

    public Parameter Weight => weight;
    public Parameter? Bias => bias;

    public override Tensor forward(Tensor input) => SafeConv.Conv2d(input, weight, bias, Stride, Padding, Groups);
}
