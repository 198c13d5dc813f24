using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Atelier.Networks;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

/// <summary>
/// StyleGAN2's weight (de)modulation: the style (an affine map of w, bias initialised to 1) scales the conv
/// weight per input channel and per sample; demodulation rescales each output channel's weights to unit norm.
/// The per-sample weights run as one grouped conv over the batch. Upsampling uses a stride-2 transposed conv
/// followed by the [1,3,3,1] blur, padded as rosinality does. Keys: `weight` (1, out, in, k, k),
/// `modulation.weight/bias`, and `blur.kernel` when upsampling.
/// </summary>
public sealed class ModulatedConv2d : nn.Module
{
    const double Eps = 1e-8;
    readonly Parameter weight;
    readonly EqualLinear modulation;
    readonly Blur? blur;

    public long InChannels { get; }
    public long OutChannels { get; }
    public long KernelSize { get; }
    public bool Demodulate { get; }
    public bool IsUpsampling { get; }
    public double Scale { get; }

    public ModulatedConv2d(long inChannels, long outChannels, long kernelSize, long styleDim,
        bool demodulate = true, bool upsample = false, IReadOnlyList<float>? blurKernel = null)
        : base(nameof(ModulatedConv2d))
    {
        blurKernel ??= Generator.DefaultBlurKernel;
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Demodulate = demodulate;
        IsUpsampling = upsample;
        Scale = 1 / Math.Sqrt(inChannels * kernelSize * kernelSize);

        weight = new Parameter(randn(new long[] { 1, outChannels, inChannels, kernelSize, kernelSize }));
        modulation = new EqualLinear(styleDim, inChannels, biasInit: 1);
        register_parameter("weight", weight);
        register_module("modulation", modulation);
        if (upsample)
        {
            const int factor = 2;
            int p = (blurKernel.Count - factor) - ((int)kernelSize - 1);
            blur = new Blur(blurKernel, ((p + 1) / 2 + factor - 1, p / 2 + 1), upsampleFactor: factor);
            register_module("blur", blur);
        }
    }

    public Tensor Weight => weight;
    public EqualLinear Modulation => modulation;

    /// <summary>The per-sample weights (batch, out, in, k, k) for styles (batch, style_dim).</summary>
    public Tensor SampleWeights(Tensor style)
    {
        using var scope = NewDisposeScope();
        long batch = style.shape[0];
        var s = modulation.call(style).view(batch, 1, InChannels, 1, 1);
        var w = Scale * weight * s;
        if (Demodulate)
        {
            var demod = rsqrt(w.pow(2).sum(new long[] { 2, 3, 4 }) + Eps);
            w = w * demod.view(batch, OutChannels, 1, 1, 1);
        }
        return w.MoveToOuterDisposeScope();
    }

    public Tensor forward(Tensor input, Tensor style)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], height = input.shape[2], width = input.shape[3];
        long k = KernelSize;
        var w = SampleWeights(style);
        var x = input.reshape(1, batch * InChannels, height, width);
        Tensor output;
        if (IsUpsampling)
        {
            // conv_transpose2d wants (in, out/groups, k, k) per group.
            var wt = w.transpose(1, 2).reshape(batch * InChannels, OutChannels, k, k);
            output = SafeConv.ConvTranspose2d(x, wt, null, stride: 2, padding: 0, groups: batch);
            output = output.view(batch, OutChannels, output.shape[2], output.shape[3]);
            output = blur!.call(output);
        }
        else
        {
            var wc = w.view(batch * OutChannels, InChannels, k, k);
            output = SafeConv.Conv2d(x, wc, null, 1, k / 2, batch);
            output = output.view(batch, OutChannels, output.shape[2], output.shape[3]);
        }
        return output.MoveToOuterDisposeScope();
    }
}
