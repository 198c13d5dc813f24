using System.IO.Compression;
using Atelier.Checkpoints.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Checkpoints;

/// <summary>
/// Reads the zip checkpoint format of torch.save (PyTorch 1.6 and later): <c>ARCHIVE/data.pkl</c> (the pickled
/// object, read with the restricted <see cref="Unpickler"/>), <c>ARCHIVE/data/KEY</c> (one raw little-endian
/// block per storage), <c>ARCHIVE/byteorder</c> and <c>ARCHIVE/version</c>. Every storage's declared size is
/// checked against its entry's real size before anything is allocated.
/// </summary>
public static class TorchZipReader
{
    const int MaxEntries = 1_000_000;

    /// <summary>Loads the pickled object with its tensors materialised (dicts, lists, tensors, plain values).</summary>
    public static object? Load(string path, PickleLimits? limits = null) => Read(path, limits, headersOnly: false);

    /// <summary>The pickled object with <see cref="TensorHeader"/>s where its tensors are: no data read.</summary>
    public static object? ReadHeaders(string path, PickleLimits? limits = null) => Read(path, limits, headersOnly: true);

    static object? Read(string path, PickleLimits? limits, bool headersOnly)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        ZipArchive zip;
        try { zip = new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw Bad(path, "corrupt or truncated zip archive (" + e.Message + ")"); }
        using (zip)
        {
            try { return Read(zip, limits ?? PickleLimits.Default, headersOnly); }
            catch (PickleException e) { throw Bad(path, e.Message); }
            catch (InvalidDataException e) { throw Bad(path, "corrupt zip entry (" + e.Message + ")"); }
            catch (EndOfStreamException) { throw Bad(path, "a zip entry is shorter than its declared size (truncated file)"); }
        }
    }

    static object? Read(ZipArchive zip, PickleLimits limits, bool headersOnly)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        int count = 0;
        foreach (var e in zip.Entries)
        {
            if (++count > MaxEntries) throw new PickleException($"more than {MaxEntries} zip entries");
            var name = e.FullName;
            if (!IsSafeEntryName(name)) throw new PickleException($"zip entry with an unsafe name '{Printable(name)}'");
            if (!entries.TryAdd(name, e)) throw new PickleException($"zip entry '{Printable(name)}' appears twice");
        }
        var pickles = entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length).ToList();
        if (pickles.Count != 1)
            throw new PickleException(pickles.Count == 0 ? "no ARCHIVE/data.pkl entry: not a PyTorch checkpoint" : "several data.pkl entries");
        var prefix = pickles[0][..^"data.pkl".Length];

        bool bigEndian = false;
        if (entries.TryGetValue(prefix + "byteorder", out var bo))
        {
            var order = System.Text.Encoding.ASCII.GetString(ReadEntry(bo, 16)).Trim();
            bigEndian = order switch
            {
                "little" => false,
                "big" => true,
                _ => throw new PickleException($"unknown byteorder '{Printable(order)}'"),
            };
        }

        var pklEntry = entries[pickles[0]];
        if (pklEntry.Length > limits.MaxPickleBytes) throw new PickleException($"data.pkl is {pklEntry.Length} bytes, over the {limits.MaxPickleBytes}-byte limit");
        var pickle = ReadEntry(pklEntry, limits.MaxPickleBytes);

        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        object? PersistentLoad(object? pid)
        {
            if (pid is not PickleTuple { Count: 5 } t || t[0] is not "storage")
                throw new PickleException($"unexpected persistent id {PickleFormat.Short(pid)}");
            var dtype = StorageDType(t[1]);
            if (t[2] is not string key || key.Length == 0 || key.Contains('/') || key.Contains(".."))
                throw new PickleException("storage key is not a plain name");
            if (t[4] is not long numel || numel < 0) throw new PickleException($"storage {key} declares an invalid size");
            if (storages.TryGetValue(key, out var known))
            {
                if (known.DType != dtype || known.Numel != numel) throw new PickleException($"storage {key} is declared twice differently");
                return known;
            }
            if (!entries.TryGetValue(prefix + "data/" + key, out var entry)) throw new PickleException($"storage {key} has no data/{key} entry");
            long bytes;
            try { bytes = checked(numel * DType.SizeOf(dtype)); }
            catch (OverflowException) { throw new PickleException($"storage {key} declares {numel} elements, an impossible size"); }
            if (bytes > entry.Length)
                throw new PickleException($"storage {key} declares {numel} elements ({bytes} bytes) but its entry holds {entry.Length} bytes");
            var r = new StorageRef(key, dtype, numel, t[3] as string ?? "cpu");
            storages[key] = r;
            return r;
        }

        var root = Unpickler.Load(pickle, new RestrictedGlobals(PersistentLoad), limits);
        if (headersOnly) return TensorMaterializer.Headers(root);
        using var materializer = new TensorMaterializer(s => ReadStorage(entries[prefix + "data/" + s.Key], s, bigEndian));
        try { return materializer.Materialize(root); }
        catch { materializer.DisposeTensors(); throw; }
    }

    static Tensor ReadStorage(ZipArchiveEntry entry, StorageRef s, bool bigEndian)
    {
        if (s.ByteLength > int.MaxValue) throw new PickleException($"storage {s.Key} is larger than 2 GB, which Atelier does not load");
        var t = torch.empty(s.Numel, s.DType);
        try
        {
            if (s.Numel == 0) return t;
            var span = t.bytes;
            using var stream = entry.Open();
            stream.ReadExactly(span);
            if (bigEndian) TensorMaterializer.SwapBytes(span, DType.SizeOf(s.DType));
            return t;
        }
        catch { t.Dispose(); throw; }
    }

    /// <summary>The dtype of a storage class named in a persistent id (torch.FloatStorage...; untyped = bytes).</summary>
    internal static ScalarType StorageDType(object? type)
    {
        if (type is not PickleGlobal g) throw new PickleException("storage type is not a class name");
        if (g.Name is "UntypedStorage") return ScalarType.Byte;
        return DType.FromStorageName(g.Name) ?? throw new PickleException($"unsupported storage type {g.FullName}");
    }

    static byte[] ReadEntry(ZipArchiveEntry e, long max)
    {
        if (e.Length > max) throw new PickleException($"zip entry '{e.FullName}' is {e.Length} bytes, over {max}");
        var b = new byte[e.Length];
        using var s = e.Open();
        s.ReadExactly(b);
        return b;
    }

    /// <summary>Relative, forward-slash names without '..', drive letters or control characters.</summary>
    internal static bool IsSafeEntryName(string name)
    {
        if (name.Length == 0 || name.Length > 1024) return false;
        if (name[0] == '/' || name.Contains('\\') || name.Contains(':')) return false;
        if (name.Any(char.IsControl)) return false;
        foreach (var part in name.Split('/'))
            if (part is ".." or ".") return false;
        return true;
    }

    static string Printable(string s) => new(s.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    static AtelierException Bad(string path, string reason) => new($"{path}: cannot read PyTorch checkpoint: {reason}");
}
