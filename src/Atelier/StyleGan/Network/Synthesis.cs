using Atelier.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

// The synthesis layers, in model.py's order: the modulated (and demodulated) convolution, noise injection, the
// learned constant input, the styled convolution that combines them, and ToRGB with its skip upsampling.

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
