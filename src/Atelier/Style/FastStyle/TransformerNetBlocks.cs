using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Atelier.Networks;

namespace Atelier.Style;

/// <summary>
/// pytorch/examples fast_neural_style <c>ConvLayer</c>: reflection padding of k // 2, then a convolution registered
/// as <c>conv2d</c> (keys <c>NAME.conv2d.weight/bias</c>). Reflection padding avoids the dark borders zero padding gives.
/// </summary>
public sealed class FastStyleConvLayer : nn.Module<Tensor, Tensor>
{
    readonly ReflectionPad2d reflection_pad;
    readonly SafeConv2d conv2d;

    public FastStyleConvLayer(long inChannels, long outChannels, long kernelSize, long stride) : base("ConvLayer")
    {
        reflection_pad = nn.ReflectionPad2d(kernelSize / 2);
        conv2d = new SafeConv2d(inChannels, outChannels, kernelSize, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var padded = reflection_pad.forward(x);
        return conv2d.forward(padded);
    }
}

/// <summary>
/// <c>UpsampleConvLayer</c>: nearest-neighbour upsampling by an integer factor, then a <see cref="FastStyleConvLayer"/>
/// body (same keys). Upsample-then-convolve avoids the checkerboard artefacts of transposed convolutions.
/// </summary>
public sealed class FastStyleUpsampleConvLayer : nn.Module<Tensor, Tensor>
{
    readonly ReflectionPad2d reflection_pad;
    readonly SafeConv2d conv2d;
    readonly int _upsample;

    /// <summary>The nearest-neighbour upsampling factor (1: none).</summary>
    public int Upsample => _upsample;

    public FastStyleUpsampleConvLayer(long inChannels, long outChannels, long kernelSize, long stride, int upsample) : base("UpsampleConvLayer")
    {
        _upsample = upsample;
        reflection_pad = nn.ReflectionPad2d(kernelSize / 2);
        conv2d = new SafeConv2d(inChannels, outChannels, kernelSize, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var padded = Padded(x);
        return conv2d.forward(padded);
    }

    /// <summary>The upsampled, padded input; the upsampled copy is freed before the convolution runs.</summary>
    Tensor Padded(Tensor x)
    {
        if (_upsample <= 1) return reflection_pad.forward(x);
        using var up = nn.functional.interpolate(x, scale_factor: [_upsample, _upsample], mode: InterpolationMode.Nearest);
        return reflection_pad.forward(up);
    }
}

/// <summary><c>ResidualBlock</c>: conv1, in1, ReLU, conv2, in2, plus the input (keys <c>resN.conv1.conv2d.weight</c>, <c>resN.in1.weight</c>).</summary>
public sealed class FastStyleResidualBlock : nn.Module<Tensor, Tensor>
{
    readonly FastStyleConvLayer conv1, conv2;
    readonly SharedInstanceNorm in1, in2;

    public FastStyleResidualBlock(long channels) : base("ResidualBlock")
    {
        conv1 = new FastStyleConvLayer(channels, channels, 3, 1);
        in1 = new SharedInstanceNorm(channels, affine: true);
        conv2 = new FastStyleConvLayer(channels, channels, 3, 1);
        in2 = new SharedInstanceNorm(channels, affine: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        // Intermediates are freed as soon as the next exists, so at most two feature maps besides x are alive.
        var y = conv1.forward(x);
        y = Then(y, in1.forward(y));
        y = Then(y, y.relu());
        y = Then(y, conv2.forward(y));
        y = Then(y, in2.forward(y));
        return Then(y, y + x);
    }

    static Tensor Then(Tensor previous, Tensor next)
    {
        previous.Dispose();
        return next;
    }
}
