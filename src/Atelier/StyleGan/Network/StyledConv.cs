using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// A synthesis layer: modulated 3x3 conv (optionally upsampling), noise, bias + leaky ReLU, and for NVlabs'
/// generators a clamp to ±<c>clamp</c>. Keys: `conv.*`, `noise.weight`, `activate.bias`.
/// </summary>
public sealed class StyledConv : nn.Module
{
    readonly ModulatedConv2d conv;
    readonly NoiseInjection noise;
    readonly FusedLeakyReLU activate;

    public StyledConv(long inChannels, long outChannels, long kernelSize, long styleDim, bool upsample = false,
        IReadOnlyList<float>? blurKernel = null, bool demodulate = true, double? clamp = null) : base(nameof(StyledConv))
    {
        Clamp = clamp;
        conv = new ModulatedConv2d(inChannels, outChannels, kernelSize, styleDim, demodulate, upsample, blurKernel);
        noise = new NoiseInjection();
        activate = new FusedLeakyReLU(outChannels);
        register_module("conv", conv);
        register_module("noise", this.noise);
        register_module("activate", activate);
    }

    public ModulatedConv2d Conv => conv;

    /// <summary>NVlabs' conv_clamp: the activations are clamped to ±this after the leaky ReLU (null: no clamp).</summary>
    public double? Clamp { get; }

    public Tensor forward(Tensor input, Tensor style, Tensor? noise)
    {
        using var scope = NewDisposeScope();
        var x = conv.forward(input, style);
        x = this.noise.forward(x, noise);
        x = activate.call(x);
        if (Clamp is { } c) x = x.clamp(-c, c);
        return x.MoveToOuterDisposeScope();
    }
}
