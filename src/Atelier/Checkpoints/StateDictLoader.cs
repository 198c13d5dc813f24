using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Checkpoints;

/// <summary>A key whose tensor has a different shape in the module and in the file.</summary>
public sealed record ShapeMismatch(string Key, long[] ModuleShape, long[] FileShape)
{
    public override string ToString() => $"{Key}: module [{string.Join(", ", ModuleShape)}] vs file [{string.Join(", ", FileShape)}]";
}

/// <summary>What <see cref="StateDictLoader.Load"/> did: keys loaded, and what did not fit.</summary>
public sealed record StateDictLoadReport(
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<ShapeMismatch> Mismatched,
    IReadOnlyList<string> Ignored)
{
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>One line naming what is wrong (at most 20 keys per kind).</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Missing.Count > 0) parts.Add($"missing {Missing.Count} key(s) the module needs: {List(Missing)}");
        if (Unexpected.Count > 0) parts.Add($"{Unexpected.Count} unexpected key(s) in the file: {List(Unexpected)}");
        if (Mismatched.Count > 0) parts.Add($"{Mismatched.Count} mis-shaped key(s): {List(Mismatched.Select(m => m.ToString()).ToList())}");
        return parts.Count == 0 ? $"all {Loaded.Count} keys loaded" : string.Join("; ", parts);
    }

    static string List(IReadOnlyList<string> keys) =>
        string.Join(", ", keys.Take(20)) + (keys.Count > 20 ? $", ... ({keys.Count - 20} more)" : "");
}

/// <summary>
/// Copies a state dict into a TorchSharp module by name, like PyTorch's load_state_dict: parameters and
/// buffers (running_mean...), converting each tensor to the parameter's dtype and device (a float16 file
/// loads into a float32 module). With <c>strict</c>, nothing is copied unless every key fits.
/// </summary>
public static class StateDictLoader
{
    /// <param name="ignore">Keys (of the file or of the module) to leave alone, e.g. stale running stats.</param>
    public static StateDictLoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true, Func<string, bool>? ignore = null)
    {
        var target = module.state_dict();
        // DataParallel checkpoints prefix every key with "module.": drop it when the module itself has no such prefix.
        if (!target.Keys.Any(k => k.StartsWith("module.", StringComparison.Ordinal)))
            stateDict = StateDicts.StripPrefixIfAll(stateDict, "module.");

        var loaded = new List<string>();
        var unexpected = new List<string>();
        var ignored = new List<string>();
        var mismatched = new List<ShapeMismatch>();
        var pending = new List<(Tensor Dst, Tensor Src)>();
        foreach (var (key, src) in stateDict)
        {
            if (ignore?.Invoke(key) == true) { ignored.Add(key); continue; }
            if (!target.TryGetValue(key, out var dst)) { unexpected.Add(key); continue; }
            if (!dst.shape.SequenceEqual(src.shape)) { mismatched.Add(new ShapeMismatch(key, dst.shape, src.shape)); continue; }
            pending.Add((dst, src));
            loaded.Add(key);
        }
        var missing = target.Keys.Where(k => !stateDict.ContainsKey(k) && ignore?.Invoke(k) != true).ToList();
        var report = new StateDictLoadReport(loaded, missing, unexpected, mismatched, ignored);
        if (strict && !report.IsComplete)
            throw new AtelierException($"cannot load the state dict into {module.GetName()}: {report.Describe()}");

        using (torch.no_grad())
        {
            foreach (var (dst, src) in pending)
            {
                using var scope = torch.NewDisposeScope();
                dst.copy_(src.to(dst.dtype, dst.device));
            }
        }
        return report;
    }
}
