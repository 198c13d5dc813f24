using Atelier.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// Loads a StyleGAN2 generator from a rosinality checkpoint (`{g, d, g_ema, args, ...}`), a bare generator
/// state dict, or a safetensors file with the same keys; or from an NVlabs StyleGAN2-ADA .pkl (<see cref="NvlabsGenerator"/>). Prefers `g_ema` (the averaged weights meant for
/// sampling), then `g`. Hyperparameters come from `args` when present, otherwise from the keys and shapes.
/// </summary>
public static class GeneratorLoader
{
    /// <summary>Sub-dicts tried in order; "" is a bare generator state dict.</summary>
    static readonly string[] Prefixes = { "g_ema.", "g.", "" };

    public static Generator Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new AtelierException($"checkpoint '{path}' does not exist");
        using var file = Checkpoint.Load(path);
        // NVlabs' StyleGAN2-ADA .pkl (G_ema in its own layout, with its constructor arguments).
        if (NvlabsGenerator.FindPrefix(file) is { } nvlabs) return NvlabsGenerator.Load(file, nvlabs, device);
        // The training script stores its argparse.Namespace as `args` (size, latent, n_mlp, channel_multiplier).
        var args = file.Value("args") as IReadOnlyDictionary<string, object?>;
        return FromStateDict(file, path, args, device);
    }

    /// <summary>Builds and fills a generator from a (possibly nested, '.'-flattened) state dict.</summary>
    public static Generator FromStateDict(IReadOnlyDictionary<string, Tensor> all, string source,
        IReadOnlyDictionary<string, object?>? args = null, Device? device = null)
    {
        var prefix = Prefixes.FirstOrDefault(p => all.ContainsKey(p + "style.1.weight") && all.ContainsKey(p + "conv1.conv.weight"));
        if (prefix is null && NvlabsGenerator.FindPrefix(all) is { } nvlabs) return NvlabsGenerator.FromStateDict(all, nvlabs, null, source, device);
        if (prefix is null)
        {
            var sample = string.Join(", ", all.Keys.Take(6));
            throw new AtelierException($"'{source}' holds no StyleGAN2 generator: expected g_ema.* (or g.*, or bare style.1.weight / conv1.conv.weight) keys, found {all.Count} keys ({sample}{(all.Count > 6 ? ", ..." : "")})");
        }
        var stateDict = all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        var shapes = stateDict.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var inferred = GeneratorConfig.Infer(shapes);
        var config = args is null ? inferred : FromArgs(args, inferred, source);
        var generator = new Generator(config);
        StateDictLoader.Load(generator, stateDict, strict: true);
        generator.eval();
        if (device is not null && device.type != DeviceType.CPU) generator.to(device);
        return generator;
    }

    /// <summary>The training script's Namespace (size, latent, n_mlp, channel_multiplier) over the inferred defaults.</summary>
    public static GeneratorConfig FromArgs(IReadOnlyDictionary<string, object?> args, GeneratorConfig inferred, string source)
    {
        int Int(string name, int fallback)
        {
            if (!args.TryGetValue(name, out var value) || value is null) return fallback;
            try { return Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture); }
            catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
            {
                throw new AtelierException($"'{source}': args.{name} is not an integer ({value})");
            }
        }
        var config = inferred with
        {
            Size = Int("size", inferred.Size),
            StyleDim = Int("latent", inferred.StyleDim),
            NMlp = Int("n_mlp", inferred.NMlp),
            ChannelMultiplier = Int("channel_multiplier", inferred.ChannelMultiplier),
        };
        if (config.Size != inferred.Size || config.StyleDim != inferred.StyleDim || config.NMlp != inferred.NMlp)
            throw new AtelierException($"'{source}': args (size {config.Size}, latent {config.StyleDim}, n_mlp {config.NMlp}) disagree with the weights (size {inferred.Size}, latent {inferred.StyleDim}, n_mlp {inferred.NMlp})");
        return config.Validate();
    }
}
