using Atelier.Networks;
using static TorchSharp.torch;

namespace Atelier.Studio.Methods;

/// <summary>
/// AdaIN's built-in encoder (<see cref="Vgg.BuiltInNormalised"/> through relu4_1) for the studio's jobs. Its seeded,
/// calibrated weights take about two seconds to make, which a live alpha slider would feel on every move: they are
/// made once per process and copied into a fresh network (default-initialised, a fraction of that) for each job.
/// </summary>
public static class BuiltInEncoder
{
    public const string Layer = "relu4_1";

    static readonly Lazy<Dictionary<string, Tensor>> Weights = new(() =>
    {
        using var vgg = Vgg.BuiltInNormalised(Layer);
        // Kept for the process: out of any job's dispose scope.
        return vgg.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    });

    /// <summary>A new encoder with the built-in weights (the caller owns it).</summary>
    public static Vgg Create()
    {
        var vgg = Vgg.Normalised(Layer);
        using var noGrad = no_grad();
        foreach (var (name, t) in vgg.state_dict()) t.copy_(Weights.Value[name]);
        return vgg;
    }
}
