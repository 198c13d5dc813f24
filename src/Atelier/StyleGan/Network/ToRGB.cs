using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// Projects features to RGB with a modulated 1x1 conv (no demodulation) plus bias, and adds the upsampled RGB of
/// the previous resolution (the skip architecture). NVlabs' generators clamp the RGB to ±<c>clamp</c> before the
/// sum. Keys: `conv.*`, `bias` (1, 3, 1, 1), `upsample.kernel`.
/// </summary>
public sealed class ToRGB : nn.Module
{
    readonly ModulatedConv2d conv;
    readonly Parameter bias;
    readonly Upsample? upsample;

    public ToRGB(long inChannels, long styleDim, bool upsample = true, IReadOnlyList<float>? blurKernel = null, double? clamp = null)
        : base(nameof(ToRGB))
    {
        Clamp = clamp;
        if (upsample)
        {
            this.upsample = new Upsample(blurKernel ?? Generator.DefaultBlurKernel);
            register_module("upsample", this.upsample);
        }
        conv = new ModulatedConv2d(inChannels, 3, 1, styleDim, demodulate: false);
        bias = new Parameter(zeros(1, 3, 1, 1));
        register_module("conv", conv);
        register_parameter("bias", bias);
    }

    /// <summary>NVlabs' conv_clamp (null: no clamp).</summary>
    public double? Clamp { get; }

    public Tensor forward(Tensor input, Tensor style, Tensor? skip)
    {
        using var scope = NewDisposeScope();
        var output = conv.forward(input, style) + bias;
        if (Clamp is { } c) output = output.clamp(-c, c);
        if (skip is not null)
        {
            if (upsample is null) throw new InvalidOperationException("this ToRGB has no upsampler for a skip input");
            output = output + upsample.call(skip);
        }
        return output.MoveToOuterDisposeScope();
    }
}
