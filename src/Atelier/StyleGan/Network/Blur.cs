using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

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
