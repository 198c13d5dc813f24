using static TorchSharp.torch;

namespace Atelier.Checkpoints;

/// <summary>Helpers on flat state dicts: selecting a sub-dict by prefix, stripping a prefix such as "module.".</summary>
public static class StateDicts
{
    /// <summary>The entries under <paramref name="prefix"/> ("g_ema" or "g_ema."), with the prefix removed.</summary>
    public static Dictionary<string, Tensor> Select(IReadOnlyDictionary<string, Tensor> stateDict, string prefix)
    {
        var p = prefix.EndsWith('.') ? prefix : prefix + ".";
        var r = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in stateDict)
            if (k.StartsWith(p, StringComparison.Ordinal)) r[k[p.Length..]] = v;
        return r;
    }

    /// <summary>Removes <paramref name="prefix"/> from every key that starts with it; other keys are kept as they are.</summary>
    public static Dictionary<string, Tensor> StripPrefix(IReadOnlyDictionary<string, Tensor> stateDict, string prefix)
    {
        var r = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in stateDict)
        {
            var key = k.StartsWith(prefix, StringComparison.Ordinal) ? k[prefix.Length..] : k;
            if (!r.TryAdd(key, v)) throw new AtelierException($"removing '{prefix}' makes two entries named '{key}'");
        }
        return r;
    }

    /// <summary>Removes <paramref name="prefix"/> only when every key has it (e.g. DataParallel's "module.").</summary>
    public static IReadOnlyDictionary<string, Tensor> StripPrefixIfAll(IReadOnlyDictionary<string, Tensor> stateDict, string prefix) =>
        stateDict.Count > 0 && stateDict.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal)) ? StripPrefix(stateDict, prefix) : stateDict;
}
