using TorchSharp;
using static TorchSharp.torch;
using Atelier.Networks;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

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
