using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

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
