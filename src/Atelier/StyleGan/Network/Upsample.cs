using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

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
