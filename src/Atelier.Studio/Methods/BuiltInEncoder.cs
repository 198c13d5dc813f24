using System.Collections.Concurrent;
using Atelier.Networks;
using static TorchSharp.torch;

namespace Atelier.Studio.Methods;

/// <summary>
/// Built-in networks (AdaIN's encoder, <see cref="Vgg.BuiltInNormalised"/> through relu4_1) for the studio's jobs. Their
/// seeded, calibrated weights take about two seconds to make, which a live alpha slider would feel on every move: they
/// are made once per process and copied into a fresh network (default-initialised, a fraction of that) for each job.
/// </summary>
public static class BuiltInEncoder
{
    public const string Layer = "relu4_1";

    static readonly ConcurrentDictionary<string, Lazy<Dictionary<string, Tensor>>> Weights = new(StringComparer.Ordinal);

    /// <summary>A new network with the built-in weights named <paramref name="name"/> (the caller owns it).</summary>
    public static T Copy<T>(string name, Func<T> make, Func<T> blank) where T : nn.Module
    {
        var weights = Weights.GetOrAdd(name, _ => new(() =>
        {
            using var made = make();
            // Kept for the process: out of any job's dispose scope.
            return made.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
        })).Value;
        var copy = blank();
        using var noGrad = no_grad();
        foreach (var (key, t) in copy.state_dict()) t.copy_(weights[key]);
        return copy;
    }

    /// <summary>A new encoder with the built-in weights (the caller owns it).</summary>
    public static Vgg Create() => Copy("vgg-normalised-" + Layer, () => Vgg.BuiltInNormalised(Layer), () => Vgg.Normalised(Layer));
}
