using Atelier.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

// The building blocks, in the order of rosinality's model.py and op/: pixel norm, the FIR resampling op
// (upfirdn2d) and the fused bias + leaky ReLU, upsampling and blur filters, and the equalized-learning-rate conv and linear layers.

/// <summary>Normalises each latent to unit root-mean-square (the first layer of the mapping network).</summary>
public sealed class PixelNorm : nn.Module<Tensor, Tensor>
{
    public PixelNorm() : base(nameof(PixelNorm)) { }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return (input * rsqrt(input.pow(2).mean(new long[] { 1 }, keepdim: true) + 1e-8)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Upsample, FIR filter, downsample: rosinality's upfirdn2d_native written with pad + conv2d, so it runs on any
/// device without a custom kernel. Every channel is filtered on its own (the kernel is 2-D).
/// </summary>
public static class Upfirdn2d
{
    /// <summary>The separable FIR kernel of a 1-D tap list (outer product), normalised to sum 1: make_kernel.</summary>
    public static Tensor MakeKernel(IReadOnlyList<float> taps)
    {
        using var scope = NewDisposeScope();
        var k = tensor(taps.ToArray());
        var k2 = k.unsqueeze(0) * k.unsqueeze(1);
        return (k2 / k2.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>upfirdn2d(input, kernel, up, down, pad) with the same up/down/pad on both axes.</summary>
    public static Tensor Apply(Tensor input, Tensor kernel, int up = 1, int down = 1, (int Begin, int End) pad = default) =>
        Apply(input, kernel, up, up, down, down, pad.Begin, pad.End, pad.Begin, pad.End);

    public static Tensor Apply(Tensor input, Tensor kernel, int upX, int upY, int downX, int downY,
        int padX0, int padX1, int padY0, int padY1)
    {
        if (input.dim() != 4) throw new ArgumentException($"upfirdn2d expects (N, C, H, W), got ({string.Join(", ", input.shape)})");
        using var scope = NewDisposeScope();
        long channels = input.shape[1], inH = input.shape[2], inW = input.shape[3];
        long kh = kernel.shape[0], kw = kernel.shape[1];

        // Zero insertion: each sample followed by up-1 zeros along each axis.
        var x = input.reshape(-1, inH, 1, inW, 1);
        if (upX > 1 || upY > 1) x = F.pad(x, new long[] { 0, upX - 1, 0, 0, 0, upY - 1 });
        x = x.reshape(-1, 1, inH * upY, inW * upX);

        // Positive padding pads with zeros, negative padding crops.
        x = F.pad(x, new long[] { Math.Max(padX0, 0), Math.Max(padX1, 0), Math.Max(padY0, 0), Math.Max(padY1, 0) });
        long cropTop = Math.Max(-padY0, 0), cropBottom = Math.Max(-padY1, 0);
        long cropLeft = Math.Max(-padX0, 0), cropRight = Math.Max(-padX1, 0);
        if (cropTop + cropBottom > 0) x = x.narrow(2, cropTop, x.shape[2] - cropTop - cropBottom);
        if (cropLeft + cropRight > 0) x = x.narrow(3, cropLeft, x.shape[3] - cropLeft - cropRight);

        // The reference flips the kernel, so this is a true convolution (conv2d is a correlation).
        var w = kernel.flip(0, 1).view(1, 1, kh, kw).to(x.dtype, x.device);
        x = SafeConv.Conv2d(x, w);
        if (downX > 1 || downY > 1)
            x = x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, downY), TensorIndex.Slice(null, null, downX)];
        return x.reshape(-1, channels, x.shape[2], x.shape[3]).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Bias, then leaky ReLU (slope 0.2), then a gain of sqrt(2) that keeps the activation variance: rosinality's
/// FusedLeakyReLU (key `bias`). The gain is what the equalised learning rate assumes.
/// </summary>
public sealed class FusedLeakyReLU : nn.Module<Tensor, Tensor>
{
    public const double NegativeSlope = 0.2;
    public static readonly double Gain = Math.Sqrt(2);

    // Held for the life of the process. Why: TorchSharp 0.107 passes a Scalar's native handle without keeping the
    // Scalar alive, and a temporary one (converted implicitly from a double) can be finalized, and its memory reused,
    // while the native call still reads it; a 32 px StyleGAN run died in leaky_relu with "Expected false to be true"
    // from c10::Scalar::toFloat after ~1,500 steps. This is the hottest scalar call in training.
    static readonly Scalar SlopeScalar = NegativeSlope.ToScalar();
    static readonly Scalar GainScalar = Gain.ToScalar();

    readonly Parameter? bias;

    public FusedLeakyReLU(long channels, bool bias = true) : base(nameof(FusedLeakyReLU))
    {
        if (bias)
        {
            this.bias = new Parameter(zeros(channels));
            register_parameter("bias", this.bias);
        }
    }

    public override Tensor forward(Tensor input) => Apply(input, bias);

    /// <summary>leaky_relu(x + b, 0.2) * sqrt(2), with b broadcast over dimension 1.</summary>
    public static Tensor Apply(Tensor input, Tensor? bias)
    {
        using var scope = NewDisposeScope();
        var x = input;
        if (bias is not null)
        {
            var shape = new long[input.dim()];
            Array.Fill(shape, 1L);
            shape[1] = bias.shape[0];
            x = x + bias.view(shape);
        }
        return x.leaky_relu(SlopeScalar).mul(GainScalar).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// 2x upsampling by zero insertion and the FIR kernel (times factor^2), padded so the output is exactly twice the
/// input (pad (2, 1) for [1,3,3,1]): how ToRGB upsamples the previous RGB skip. Key: `kernel`.
/// </summary>
public sealed class Upsample : nn.Module<Tensor, Tensor>
{
    readonly Tensor kernel;
    public int Factor { get; }
    public (int Begin, int End) Pad { get; }

    public Upsample(IReadOnlyList<float> taps, int factor = 2) : base(nameof(Upsample))
    {
        kernel = Upfirdn2d.MakeKernel(taps) * (factor * factor);
        register_buffer("kernel", kernel);
        Factor = factor;
        int p = taps.Count - factor;
        Pad = ((p + 1) / 2 + factor - 1, p / 2);
    }

    public override Tensor forward(Tensor input) => Upfirdn2d.Apply(input, kernel, up: Factor, down: 1, pad: Pad);
}

/// <summary>
/// FIR low-pass filter (default [1,3,3,1] outer product, normalised) with padding (pad0, pad1); after an upsampling
/// transposed conv the kernel is multiplied by factor^2 to keep the signal's gain. Key: `kernel` (a buffer).
/// </summary>
public sealed class Blur : nn.Module<Tensor, Tensor>
{
    readonly Tensor kernel;
    public (int Begin, int End) Pad { get; }

    public Blur(IReadOnlyList<float> taps, (int, int) pad, int upsampleFactor = 1) : base(nameof(Blur))
    {
        var k = Upfirdn2d.MakeKernel(taps);
        kernel = upsampleFactor > 1 ? k * (upsampleFactor * upsampleFactor) : k;
        register_buffer("kernel", kernel);
        Pad = pad;
    }

    public override Tensor forward(Tensor input) => Upfirdn2d.Apply(input, kernel, pad: Pad);
}

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
