using Atelier.Checkpoints.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Checkpoints;

/// <summary>
/// Turns the <see cref="TensorRecord"/>s of an unpickled PyTorch checkpoint into TorchSharp tensors, reading each
/// storage once (storages shared by several tensors stay shared) and copying views (offsets, strides) into
/// contiguous tensors. Walks the value graph iteratively-bounded: at most <see cref="MaxDepth"/> levels.
/// </summary>
internal sealed class TensorMaterializer : IDisposable
{
    public const int MaxDepth = 100;

    readonly Func<StorageRef, Tensor>? _loadStorage; // null: headers only
    readonly Dictionary<string, Tensor> _storages = new(StringComparer.Ordinal);
    readonly Dictionary<TensorRecord, Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<object> _visited = new(ReferenceEqualityComparer.Instance);

    /// <param name="loadStorage">Reads a validated storage as a 1-D CPU tensor of its dtype and numel.</param>
    public TensorMaterializer(Func<StorageRef, Tensor> loadStorage) => _loadStorage = loadStorage;

    TensorMaterializer() { }

    /// <summary>Replaces tensor records inside <paramref name="root"/> (in place) by their <see cref="TensorHeader"/>s, reading no data.</summary>
    public static object? Headers(object? root) => new TensorMaterializer().Visit(root, 0);

    /// <summary>Every tensor made, for disposal when a later step fails.</summary>
    public IEnumerable<Tensor> Tensors => _tensors.Values;

    /// <summary>Replaces tensor records inside <paramref name="root"/> (in place) and returns the new root.</summary>
    public object? Materialize(object? root) => Visit(root, 0);

    object? Visit(object? value, int depth)
    {
        if (depth > MaxDepth) throw new PickleException($"values nested more than {MaxDepth} deep");
        switch (value)
        {
            case TensorRecord r:
                return _loadStorage is null ? new TensorHeader(r.Storage.DType, r.Size) : Make(r);
            case PickleDict d:
                if (!_visited.Add(d)) return d;
                foreach (var (k, v) in d.Items.ToList())
                {
                    var nv = Visit(v, depth + 1);
                    if (!ReferenceEquals(nv, v)) d.Set(k, nv);
                }
                foreach (var k in d.Attributes.Keys.ToList()) d.Attributes[k] = Visit(d.Attributes[k], depth + 1);
                return d;
            case PickleList l:
                if (!_visited.Add(l)) return l;
                for (int i = 0; i < l.Count; i++) l[i] = Visit(l[i], depth + 1);
                return l;
            case PickleSet s:
                if (!_visited.Add(s)) return s;
                for (int i = 0; i < s.Count; i++) s[i] = Visit(s[i], depth + 1);
                return s;
            case PickleObject o:
                if (!_visited.Add(o)) return o;
                foreach (var k in o.Attributes.Keys.ToList()) o.Attributes[k] = Visit(o.Attributes[k], depth + 1);
                return o;
            case PersistentObject p:
                Visit(p.State, depth + 1);
                return p;
            case PickleTuple t:
                // Tuples are immutable: rebuild only when they hold a tensor.
                if (!t.Any(x => x is TensorRecord or PickleDict or PickleList or PickleObject or PickleTuple or PickleSet or PersistentObject)) return t;
                return new PickleTuple(t.Select(x => Visit(x, depth + 1)).ToArray());
            default:
                return value;
        }
    }

    Tensor Make(TensorRecord r)
    {
        if (_tensors.TryGetValue(r, out var done)) return done;
        if (!_storages.TryGetValue(r.Storage.Key, out var storage))
        {
            storage = _loadStorage!(r.Storage);
            _storages[r.Storage.Key] = storage;
        }
        else if (storage.dtype != r.Storage.DType)
        {
            // One untyped block read through two dtypes: reinterpret the bytes when the sizes allow.
            throw new PickleException($"storage {r.Storage.Key} is used with two dtypes ({storage.dtype}, {r.Storage.DType})");
        }
        Tensor t;
        if (r.Numel == 0) t = torch.empty(r.Size, r.Storage.DType);
        else if (r.IsWholeStorage) t = storage.view(r.Size);
        else
        {
            // A view (slice with an offset, transpose...): copy just its elements so the file's whole storage
            // is not kept alive behind a small tensor.
            using var view = storage.as_strided(r.Size, r.Stride, r.Offset);
            t = torch.empty(r.Size, r.Storage.DType);
            t.copy_(view);
        }
        _tensors[r] = t;
        return t;
    }

    /// <summary>Releases the storage handles (tensors that view them keep their data alive).</summary>
    public void Dispose()
    {
        foreach (var s in _storages.Values) s.Dispose();
        _storages.Clear();
    }

    /// <summary>Disposes every tensor made so far (on failure).</summary>
    public void DisposeTensors()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }

    /// <summary>Byte-swaps big-endian element data in place.</summary>
    public static void SwapBytes(Span<byte> data, int elementSize)
    {
        if (elementSize == 1) return;
        for (int i = 0; i + elementSize <= data.Length; i += elementSize) data.Slice(i, elementSize).Reverse();
    }
}
