using System.Collections.Concurrent;
using Atelier.Checkpoints;
using Atelier.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// The mean w of a checkpoint's generator (the centre for truncation and the start of inversions), estimated
/// from <see cref="DefaultSamples"/> z with a fixed seed so it is the same on every run. Cached in memory and in the
/// model cache's derived folder, keyed by the checkpoint's SHA-256 (<see cref="ModelCache.DerivedPath"/>): never
/// beside the checkpoint, whose folder may be the user's own or read-only. (Earlier versions wrote
/// <c>CHECKPOINT.mean_w.safetensors</c> beside it; such files are ignored.) A checkpoint that carries its mean w
/// (NVlabs' w_avg) gives that instead, unestimated.
/// </summary>
public static class MeanLatent
{
    public const int DefaultSamples = 4096;
    const ulong SamplingSeed = 0x5747; // fixed: the mean must not depend on the caller's seed
    static readonly ConcurrentDictionary<string, float[]> Memory = new();

    /// <summary>Where the cache file for <paramref name="checkpointPath"/> goes (in <paramref name="cache"/>, default the current store's).</summary>
    public static string CachePath(string checkpointPath, int samples, ModelCache? cache = null) =>
        (cache ?? ModelStore.Current.Cache).DerivedPath(checkpointPath, samples == DefaultSamples ? "mean_w.safetensors" : $"mean_w.{samples}.safetensors");

    /// <summary>The mean w (1, style_dim) on the generator's device.</summary>
    public static Tensor Get(Generator generator, string checkpointPath, int samples = DefaultSamples, Action<string>? note = null)
    {
        if (samples <= 0) throw new AtelierUsageException($"the mean w needs a positive number of samples, got {samples}");
        // NVlabs' pickles carry the w_avg their training tracked: that is the reference's truncation centre.
        if (generator.StoredMeanLatent is { } stored) return tensor(stored).reshape(1, generator.StyleDim).to(generator.Device);
        var full = Path.GetFullPath(checkpointPath);
        var stamp = File.Exists(full) ? File.GetLastWriteTimeUtc(full).Ticks : 0;
        var key = $"{full}|{stamp}|{samples}";
        if (Memory.TryGetValue(key, out var cached) && cached.Length == generator.StyleDim)
            return tensor(cached).reshape(1, generator.StyleDim).to(generator.Device);

        // No file (a generator built in memory): computed, not cached on disk.
        var cachePath = File.Exists(full) ? CachePath(full, samples) : null;
        if (cachePath is not null && File.Exists(cachePath))
        {
            try
            {
                using var loaded = Checkpoint.Load(cachePath);
                if (loaded.TryGetValue("mean_w", out var m) && m.numel() == generator.StyleDim)
                {
                    var values = m.to(float32).reshape(-1).data<float>().ToArray();
                    Memory[key] = values;
                    return tensor(values).reshape(1, generator.StyleDim).to(generator.Device);
                }
            }
            catch (AtelierException e) { note?.Invoke($"ignoring the unreadable mean-w cache '{cachePath}': {e.Message}"); }
        }

        using var rng = new torch.Generator(SamplingSeed);
        var mean = generator.MeanLatent(samples, rng);
        Memory[key] = mean.cpu().reshape(-1).data<float>().ToArray();
        if (cachePath is null) return mean;
        try
        {
            using var cpu = mean.cpu();
            SafeTensors.Save(cachePath, new Dictionary<string, Tensor> { ["mean_w"] = cpu },
                new Dictionary<string, string> { ["samples"] = samples.ToString(), ["checkpoint"] = Path.GetFileName(full) });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AtelierException)
        {
            note?.Invoke($"mean w kept in memory only (cannot write '{cachePath}': {e.Message})");
        }
        return mean;
    }
}
