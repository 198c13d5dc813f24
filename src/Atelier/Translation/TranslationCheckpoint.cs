using Atelier.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Translation;

/// <summary>Which way a CycleGAN run translates: G_A maps A to B, G_B maps B to A.</summary>
public enum Direction { AtoB, BtoA }

/// <summary>
/// Loads pix2pix/CycleGAN generators from the reference's .pth state dicts (latest_net_G.pth,
/// latest_net_G_A.pth...) or from Atelier run checkpoints (keys under G., G_A., G_B.), detecting the
/// architecture from keys and shapes unless one is given.
/// </summary>
public static class TranslationCheckpoint
{
    static readonly string[] RunningStatSuffixes = [".running_mean", ".running_var", ".num_batches_tracked"];

    /// <summary>
    /// The reference's clean-up on load: drops a DataParallel "module." prefix and, for networks with
    /// InstanceNorm (no running statistics), the running-stat keys that old PyTorch versions saved.
    /// </summary>
    public static Dictionary<string, Tensor> Clean(IReadOnlyDictionary<string, Tensor> sd, nn.Module target)
    {
        var wanted = target.state_dict().Keys.ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (rawKey, t) in sd)
        {
            var key = rawKey.StartsWith("module.", StringComparison.Ordinal) ? rawKey[7..] : rawKey;
            if (!wanted.Contains(key) && RunningStatSuffixes.Any(s => key.EndsWith(s, StringComparison.Ordinal))) continue;
            result[key] = t;
        }
        return result;
    }

    /// <summary>Drops a DataParallel prefix, for architecture detection before a module exists.</summary>
    public static Dictionary<string, Tensor> StripDataParallel(IReadOnlyDictionary<string, Tensor> sd) =>
        sd.ToDictionary(kv => kv.Key.StartsWith("module.", StringComparison.Ordinal) ? kv.Key[7..] : kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>
    /// Copies <paramref name="sd"/> into <paramref name="module"/>, requiring every key to match by name and shape;
    /// otherwise one error lists what is missing, unexpected or mis-shaped.
    /// </summary>
    public static void LoadInto(nn.Module module, IReadOnlyDictionary<string, Tensor> sd, string source)
    {
        var report = StateDictLoader.Load(module, Clean(sd, module), strict: false);
        if (!report.IsComplete) throw new AtelierException($"{source}: does not fit the network ({report.Describe()})");
    }

    /// <summary>Reads a state dict: safetensors files (run checkpoints or converted weights) or PyTorch .pth/.pt files.</summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        if (!File.Exists(path)) throw new AtelierException($"{path}: checkpoint not found");
        using var file = Checkpoint.Load(path);
        // Alias the tensors so they outlive the file object.
        return file.StateDict.ToDictionary(kv => kv.Key, kv => kv.Value.alias(), StringComparer.Ordinal);
    }

    /// <summary>
    /// The generator in <paramref name="path"/>, built and loaded. <paramref name="arch"/> (unet_256, resnet_9blocks...)
    /// overrides detection; <paramref name="direction"/> picks G_A or G_B from a CycleGAN run checkpoint.
    /// </summary>
    public static (GeneratorSpec Spec, nn.Module<Tensor, Tensor> Generator) LoadGenerator(string path, string? arch = null,
        Direction? direction = null, bool unetDropout = true, NormKind? norm = null)
    {
        var all = ReadStateDict(path);
        try
        {
            var sd = SelectGenerator(all, path, direction);
            sd = StripDataParallel(sd);
            GeneratorSpec spec;
            var detected = TryDetect(sd, path, unetDropout);
            if (arch is null)
                spec = detected ?? GeneratorSpec.Detect(sd, path, unetDropout); // rethrows the clear error
            else
            {
                var named = GeneratorSpec.Parse(arch, detected?.Ngf ?? 64, detected?.InputNc ?? 3, detected?.OutputNc ?? 3,
                    norm ?? detected?.Norm ?? NormKind.Batch, detected?.Dropout ?? unetDropout, parameter: "Arch");
                if (detected != null && (detected.Family != named.Family || detected.Depth != named.Depth))
                    throw AtelierException.Naming($"{path}: holds a {detected.Name} generator, not {arch} (leave out {{Arch}} to use what the file holds)");
                spec = named;
            }
            if (norm is NormKind n && spec.Norm != n) spec = spec with { Norm = n };
            var g = spec.Build();
            try { LoadInto(g, sd, path); }
            catch { g.Dispose(); throw; }
            return (spec, g);
        }
        finally
        {
            foreach (var t in all.Values) t.Dispose();
        }
    }

    static GeneratorSpec? TryDetect(IReadOnlyDictionary<string, Tensor> sd, string path, bool unetDropout)
    {
        try { return GeneratorSpec.Detect(sd, path, unetDropout); }
        catch (AtelierException) { return null; }
    }

    /// <summary>A run checkpoint's G / G_A / G_B sub-dict, or the file itself when it is a bare generator.</summary>
    static Dictionary<string, Tensor> SelectGenerator(Dictionary<string, Tensor> all, string path, Direction? direction)
    {
        static Dictionary<string, Tensor> Under(Dictionary<string, Tensor> d, string prefix) =>
            d.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        bool hasA = all.Keys.Any(k => k.StartsWith("G_A.", StringComparison.Ordinal));
        bool hasG = all.Keys.Any(k => k.StartsWith("G.", StringComparison.Ordinal));
        if (hasA) return Under(all, direction == Direction.BtoA ? "G_B." : "G_A.");
        if (direction == Direction.BtoA)
            throw new AtelierUsageException($"{{Direction}} BtoA: {path} holds one generator (BtoA picks G_B from a CycleGAN run checkpoint; a pix2pix generator translates the way it was trained)");
        return hasG ? Under(all, "G.") : all;
    }
}
