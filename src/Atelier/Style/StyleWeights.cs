using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>Strict by-name weight copying for the feed-forward style networks, with messages that say what the file is.</summary>
static class StyleWeights
{
    /// <summary>
    /// Copies every parameter and buffer of <paramref name="module"/> from <paramref name="stateDict"/>; any missing,
    /// unexpected or mis-shaped key is an <see cref="AtelierException"/> naming <paramref name="source"/>, and nothing
    /// is copied unless everything fits.
    /// </summary>
    public static void CopyStrict(TorchSharp.torch.nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, string source, string expected)
    {
        var own = module.state_dict();
        var missing = own.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
        var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var misShaped = own.Where(kv => stateDict.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key} is [{string.Join("x", stateDict[kv.Key].shape)}], expected [{string.Join("x", kv.Value.shape)}]").ToList();
        if (missing.Count + unexpected.Count + misShaped.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing {Few(missing)}");
            if (unexpected.Count > 0) parts.Add($"unexpected {Few(unexpected)}");
            if (misShaped.Count > 0) parts.Add($"mis-shaped {Few(misShaped)}");
            throw new AtelierException($"{source}: does not fit {expected}: {string.Join("; ", parts)}");
        }
        using var _ = no_grad();
        foreach (var (name, t) in own)
        {
            using var src = stateDict[name].to(t.dtype, t.device);
            t.copy_(src);
        }
    }

    static string Few(List<string> items) => items.Count <= 6 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(6))} and {items.Count - 6} more";
}
