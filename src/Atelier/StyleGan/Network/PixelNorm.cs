using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

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
