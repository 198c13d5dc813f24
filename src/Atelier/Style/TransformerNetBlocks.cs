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

    public FastStyleUpsampleConvLayer(long inChannels, long outChannels, long kernelSize, long stride, int upsample) : base("UpsampleConvLayer")
    {
        _upsample = upsample;
        reflection_pad = nn.ReflectionPad2d(kernelSize / 2);
        conv2d = new SafeConv2d(inChannels, outChannels, kernelSize, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var up = _upsample > 1
            ? nn.functional.interpolate(x, scale_factor: [_upsample, _upsample], mode: InterpolationMode.Nearest)
            : x.alias();
        using var padded = reflection_pad.forward(up);
        return conv2d.forward(padded);
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
        using var a = conv1.forward(x);
        using var b = in1.forward(a);
        using var c = b.relu();
        using var d = conv2.forward(c);
        using var e = in2.forward(d);
        return e + x;
    }
}
