using Atelier.Checkpoints.Pickle;

namespace Atelier.Checkpoints;

/// <summary>
/// Walks a checkpoint's unpickled object for its leaves (tensors, or their headers) under flattened names
/// (g_ema.conv1.weight, state_dict.0.bias), with a budget against graphs that share containers exponentially
/// ("billion laughs" of lists holding the previous list twice); and finds the entries that hold no leaf at all.
/// </summary>
internal static class CheckpointTree
{
    /// <summary>Every <typeparamref name="TLeaf"/> under <paramref name="root"/>, by flattened name.</summary>
    public static Dictionary<string, TLeaf> Flatten<TLeaf>(object? root) where TLeaf : class
    {
        var flat = new Dictionary<string, TLeaf>(StringComparer.Ordinal);
        // Allow a fixed multiple of the graph's distinct nodes.
        long budget = 16L * CountDistinct(root) + 10_000, visits = 0;
        void Visit(object? value, string prefix, int depth)
        {
            if (depth > TensorMaterializer.MaxDepth) throw new PickleException($"values nested more than {TensorMaterializer.MaxDepth} deep");
            if (++visits > budget) throw new PickleException("too many nested values (shared-reference bomb)");
            switch (value)
            {
                case TLeaf leaf:
                    if (flat.Count >= CheckpointFile.MaxFlatEntries) throw new PickleException($"more than {CheckpointFile.MaxFlatEntries} tensors");
                    flat[prefix] = leaf;
                    break;
                case PickleDict d:
                    foreach (var (k, v) in d.Items) Visit(v, Join(prefix, CheckpointFile.KeyName(k)), depth + 1);
                    break;
                case PersistentObject p:
                    // An NVlabs network: named like its torch state_dict (mapping.fc0.weight, synthesis.b4.conv1.affine.bias...).
                    foreach (var (name, v) in p.Tensors.Concat(p.Modules)) Visit(v, Join(prefix, name), depth + 1);
                    break;
                case PickleList or PickleTuple:
                    int i = 0;
                    foreach (var v in (IEnumerable<object?>)value) Visit(v, Join(prefix, (i++).ToString(System.Globalization.CultureInfo.InvariantCulture)), depth + 1);
                    break;
            }
        }
        Visit(root, "", 0);
        return flat;
    }

    /// <summary>True when a leaf is named <paramref name="prefix"/> or lies under it (prefix.x).</summary>
    public static bool Holds(IEnumerable<string> leafNames, string prefix) =>
        leafNames.Any(k => k == prefix || k.StartsWith(prefix + ".", StringComparison.Ordinal));

    /// <summary>The root dict's entries with none of <paramref name="leafNames"/> under them, as plain data.</summary>
    public static IReadOnlyDictionary<string, object?> NonTensorEntries(object? root, IEnumerable<string> leafNames)
    {
        var r = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (root is not PickleDict dict) return r;
        foreach (var (k, v) in dict.Items)
        {
            var name = CheckpointFile.KeyName(k);
            if (!Holds(leafNames, name)) r[name] = CheckpointFile.ToPlain(v, 0);
        }
        return r;
    }

    static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + "." + key;

    static long CountDistinct(object? root) => Nodes(root).LongCount();

    /// <summary>Every distinct node of the graph (containers and leaves), each once, whatever shares it.</summary>
    public static IEnumerable<object> Nodes(object? root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var todo = new Stack<object?>();
        todo.Push(root);
        while (todo.Count > 0)
        {
            var v = todo.Pop();
            if (v is null || !seen.Add(v)) continue;
            yield return v;
            switch (v)
            {
                case PickleDict d: foreach (var kv in d.Items) todo.Push(kv.Value); break;
                case PickleList or PickleTuple or PickleSet: foreach (var x in (IEnumerable<object?>)v) todo.Push(x); break;
                case PickleObject o: foreach (var x in o.Attributes.Values) todo.Push(x); break;
                case PersistentObject p: todo.Push(p.State); break;
            }
        }
    }
}
