using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training;

/// <summary>The reference's --init_type.</summary>
public enum InitKind { Normal, Xavier, Kaiming, Orthogonal }

/// <summary>
/// The reference's init_weights: conv and linear weights from normal(0, gain) / xavier_normal(gain) /
/// kaiming_normal(fan_in) / orthogonal(gain), their biases 0; BatchNorm weights normal(1, gain), biases 0.
/// Draws come from torch's generator, so a seed fixes them.
/// </summary>
public static class WeightInit
{
    public static InitKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "normal" => InitKind.Normal,
        "xavier" => InitKind.Xavier,
        "kaiming" => InitKind.Kaiming,
        "orthogonal" => InitKind.Orthogonal,
        _ => throw new AtelierUsageException($"{{Init}} {text}: expected normal, xavier, kaiming or orthogonal"),
    };

    public static void Apply(nn.Module module, InitKind kind = InitKind.Normal, double gain = 0.02)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            if (m is Conv2d or ConvTranspose2d or Linear or Networks.SafeConv2d or Networks.SafeConvTranspose2d)
            {
                var weight = ((Parameter?)m.get_parameter("weight"))!;
                switch (kind)
                {
                    case InitKind.Normal: nn.init.normal_(weight, 0.0, gain); break;
                    case InitKind.Xavier: nn.init.xavier_normal_(weight, gain); break;
                    case InitKind.Kaiming: nn.init.kaiming_normal_(weight, 0.0, nn.init.FanInOut.FanIn, nn.init.NonlinearityType.LeakyReLU); break;
                    default: nn.init.orthogonal_(weight, gain); break;
                }
                if (m.get_parameter("bias") is { } bias) nn.init.zeros_(bias);
            }
            else if (m is BatchNorm2d)
            {
                if (m.get_parameter("weight") is { } w) nn.init.normal_(w, 1.0, gain);
                if (m.get_parameter("bias") is { } b) nn.init.zeros_(b);
            }
        }
    }
}
