using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Atelier.Checkpoints.Pickle;
using static TorchSharp.torch;

namespace Atelier.Checkpoints;

public enum CheckpointFormat
{
    /// <summary>A .safetensors file.</summary>
    SafeTensors,
    /// <summary>torch.save's zip format (PyTorch 1.6 and later).</summary>
    TorchZip,
    /// <summary>torch.save's legacy format (before PyTorch 1.6, or _use_new_zipfile_serialization=False).</summary>
    TorchLegacy,
    /// <summary>A plain pickle.dump of networks: NVlabs' StyleGAN2-ADA .pkl snapshots (read without running their code).</summary>
    Pickle,
}

/// <summary>
/// A loaded checkpoint: its flat state dict (nested dicts flattened with '.', so <c>{'g_ema': {'style.1.weight': t}}</c>
/// becomes <c>g_ema.style.1.weight</c>), sub-dicts by name (<see cref="Select"/>), non-tensor entries such as
/// rosinality's <c>args</c> as plain data (<see cref="Value"/>), and safetensors metadata. An NVlabs network
/// (<see cref="PersistentObject"/>) flattens to its state_dict names under its entry (<c>G_ema.mapping.fc0.weight</c>). Itself a read-only
/// dictionary of the flat state dict. Disposing it disposes every tensor it holds.
/// </summary>
public sealed class CheckpointFile : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    /// <summary>Flattened entries beyond this many are refused (a shared-reference bomb would multiply them).</summary>
    public const int MaxFlatEntries = 1_000_000;

    readonly Dictionary<string, Tensor> _flat;
    readonly PickleDict? _rootDict;

    public string Path { get; }
    public CheckpointFormat Format { get; }
    /// <summary>The loaded object as read (PickleDict, PickleList, Tensor, plain values); for safetensors a dict of its tensors.</summary>
    public object? Root { get; }
    /// <summary>The safetensors <c>__metadata__</c> (empty for PyTorch files).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Every tensor in the file under its flattened name.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict => _flat;

    internal CheckpointFile(string path, CheckpointFormat format, object? root, IReadOnlyDictionary<string, string>? metadata)
    {
        Path = path;
        Format = format;
        Root = root;
        _rootDict = root as PickleDict;
        Metadata = metadata ?? new Dictionary<string, string>();
        try { _flat = CheckpointTree.Flatten<Tensor>(root); }
        catch (PickleException e) { DisposeAll(root); throw new AtelierException($"{path}: {e.Message}"); }
    }

    internal static string KeyName(object key) => key switch
    {
        string s => s,
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => PickleFormat.Short(key),
    };

    /// <summary>The top-level keys of the file (for a state dict file: every tensor name).</summary>
    public IReadOnlyList<string> TopLevelKeys =>
        _rootDict?.Items.Select(kv => KeyName(kv.Key)).ToList() ?? (IReadOnlyList<string>)[];

    /// <summary>
    /// The tensors under <paramref name="prefix"/> (e.g. "g_ema" or "state_dict") with the prefix removed.
    /// Throws naming the available top-level entries when there are none.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Select(string prefix)
    {
        var sub = StateDicts.Select(_flat, prefix);
        if (sub.Count == 0)
            throw new AtelierException($"{Path}: no tensors under '{prefix}' (top-level entries: {string.Join(", ", TopLevelKeys.Take(20))})");
        return sub;
    }

    /// <summary>True when the file has tensors under <paramref name="prefix"/>.</summary>
    public bool Has(string prefix) => CheckpointTree.Holds(_flat.Keys, prefix);

    /// <summary>
    /// A non-tensor entry (dotted path into nested dicts, e.g. "args" or "args.size") as plain data: dicts and
    /// objects (argparse.Namespace) become <c>Dictionary&lt;string, object?&gt;</c>, lists and tuples
    /// <c>List&lt;object?&gt;</c>, numbers long/double, and tensors stay tensors. Null when absent.
    /// </summary>
    public object? Value(string path)
    {
        object? cur = Root;
        foreach (var part in path.Split('.'))
        {
            cur = cur switch
            {
                PickleDict d => d.Items.FirstOrDefault(kv => KeyName(kv.Key) == part).Value,
                PickleObject o => o.Attributes.GetValueOrDefault(part),
                PersistentObject p => p.Attribute(part),
                _ => null,
            };
            if (cur == null) return null;
        }
        return ToPlain(cur, 0);
    }

    /// <summary>Top-level entries that hold no tensor at all (epoch counters, args, options...), as plain data.</summary>
    public IReadOnlyDictionary<string, object?> NonTensorEntries => CheckpointTree.NonTensorEntries(Root, _flat.Keys);

    internal static object? ToPlain(object? v, int depth)
    {
        if (depth > TensorMaterializer.MaxDepth) throw new AtelierException("value nested too deeply");
        return v switch
        {
            PickleDict d => d.Items.ToDictionary(kv => KeyName(kv.Key), kv => ToPlain(kv.Value, depth + 1), StringComparer.Ordinal),
            PickleObject o => o.Attributes.ToDictionary(kv => kv.Key, kv => ToPlain(kv.Value, depth + 1), StringComparer.Ordinal),
            PickleTuple or PickleList or PickleSet => ((IEnumerable<object?>)v).Select(x => ToPlain(x, depth + 1)).ToList(),
            BigInteger b => b.ToString(),
            PickleGlobal g => g.FullName,
            PersistentObject p => new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["class_name"] = p.ClassName,
                ["init_kwargs"] = ToPlain(p.InitKwargs, depth + 1),
            },
            PickleNone => null,
            _ => v,
        };
    }

    // IReadOnlyDictionary over the flat state dict
    public Tensor this[string key] => _flat.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"{Path}: no tensor '{key}'");
    public IEnumerable<string> Keys => _flat.Keys;
    public IEnumerable<Tensor> Values => _flat.Values;
    public int Count => _flat.Count;
    public bool ContainsKey(string key) => _flat.ContainsKey(key);
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value) => _flat.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _flat.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var t in _flat.Values.Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>()) t.Dispose();
        _flat.Clear();
    }

    // On a failed flatten there is no flat dict: dispose every tensor in the graph (each node once).
    static void DisposeAll(object? root)
    {
        foreach (var t in CheckpointTree.Nodes(root).OfType<Tensor>()) t.Dispose();
    }
}
