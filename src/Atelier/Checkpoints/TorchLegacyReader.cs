using System.Numerics;
using Atelier.Checkpoints.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Checkpoints;

/// <summary>
/// Reads the legacy (pre-1.6, non-zip) torch.save format: four pickles in a row (magic number, protocol version,
/// sys_info, the object itself), a fifth pickle listing the storage keys, then each storage as an 8-byte
/// little-endian element count followed by its raw data. Every count is checked against the size the pickle
/// declared and against the bytes left in the file before anything is allocated.
/// </summary>
public static class TorchLegacyReader
{
    /// <summary>torch.serialization.MAGIC_NUMBER.</summary>
    internal static readonly BigInteger Magic = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    const long ProtocolVersion = 1001;

    /// <summary>True when <paramref name="head"/> starts with a pickle of the legacy magic number.</summary>
    internal static bool LooksLegacy(ReadOnlySpan<byte> head)
    {
        // PROTO n, LONG1 10, then the 10-byte little-endian magic.
        if (head.Length < 14 || head[0] != PickleOpcodes.Proto || head[2] != PickleOpcodes.Long1 || head[3] != 10) return false;
        return new BigInteger(head.Slice(4, 10), isUnsigned: false, isBigEndian: false) == Magic;
    }

    public static object? Load(string path, PickleLimits? limits = null) => Read(path, limits, headersOnly: false);

    /// <summary>The object with <see cref="TensorHeader"/>s where its tensors are: storages located and checked, none read.</summary>
    public static object? ReadHeaders(string path, PickleLimits? limits = null) => Read(path, limits, headersOnly: true);

    static object? Read(string path, PickleLimits? limits, bool headersOnly)
    {
        limits ??= PickleLimits.Default;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var input = new BufferedStream(fs, 1 << 16);
        try { return headersOnly ? TensorMaterializer.Headers(Parse(input, limits).Root) : Load(input, limits); }
        catch (PickleException e) { throw Bad(path, e.Message); }
        catch (EndOfStreamException) { throw Bad(path, "file ends inside a storage (truncated)"); }
    }

    static object? Load(BufferedStream input, PickleLimits limits)
    {
        var (root, _, offsets) = Parse(input, limits);
        using var materializer = new TensorMaterializer(s => ReadStorage(input, s, offsets[s.Key]));
        try { return materializer.Materialize(root); }
        catch { materializer.DisposeTensors(); throw; }
    }

    /// <summary>
    /// Reads a storage pickled on its own (what <c>torch.storage._load_from_bytes</c> holds in a pickle.dump of
    /// tensors, e.g. NVlabs' snapshots): a whole legacy torch.save whose object is one storage. Returns it as a
    /// 1-D tensor of its dtype.
    /// </summary>
    internal static (StorageRef Storage, Tensor Data) ReadStorageBlob(byte[] blob, PickleLimits limits)
    {
        if (!LooksLegacy(blob)) throw new PickleException("a nested storage is not a legacy torch.save blob");
        using var input = new MemoryStream(blob, writable: false);
        try
        {
            var (root, storages, offsets) = Parse(input, limits);
            if (root is not StorageRef storage || storages.Count != 1)
                throw new PickleException("a nested storage blob holds something other than one storage");
            return (storage, ReadStorage(input, storage, offsets[storage.Key]));
        }
        catch (EndOfStreamException) { throw new PickleException("a nested storage blob ends inside its data (truncated)"); }
    }

    /// <summary>The storage a nested blob (<see cref="ReadStorageBlob"/>) declares, its data checked to be there but not read.</summary>
    internal static StorageRef ReadStorageBlobHeader(byte[] blob, PickleLimits limits)
    {
        if (!LooksLegacy(blob)) throw new PickleException("a nested storage is not a legacy torch.save blob");
        using var input = new MemoryStream(blob, writable: false);
        try
        {
            var (root, storages, _) = Parse(input, limits);
            if (root is not StorageRef storage || storages.Count != 1)
                throw new PickleException("a nested storage blob holds something other than one storage");
            return storage;
        }
        catch (EndOfStreamException) { throw new PickleException("a nested storage blob ends inside its data (truncated)"); }
    }

    static Tensor ReadStorage(Stream input, StorageRef s, long offset)
    {
        if (s.ByteLength > int.MaxValue) throw new PickleException($"storage {s.Key} is larger than 2 GB, which Atelier does not load");
        var t = torch.empty(s.Numel, s.DType);
        try
        {
            if (s.Numel > 0)
            {
                input.Position = offset;
                input.ReadExactly(t.bytes);
            }
            return t;
        }
        catch { t.Dispose(); throw; }
    }

    /// <summary>The object (storages as <see cref="StorageRef"/>s), its storages, and where each one's data starts.</summary>
    static (object? Root, Dictionary<string, StorageRef> Storages, Dictionary<string, long> Offsets) Parse(Stream input, PickleLimits limits)
    {
        var plain = new RestrictedGlobals(null);
        if (new Unpickler(input, plain, limits).Load() is not BigInteger magic || magic != Magic)
            throw new PickleException("bad magic number: not a legacy PyTorch file");
        if (new Unpickler(input, plain, limits).Load() is not long version || version != ProtocolVersion)
            throw new PickleException("unsupported legacy protocol version");
        if (new Unpickler(input, plain, limits).Load() is not PickleDict sysInfo)
            throw new PickleException("sys_info is not a dict");
        if (sysInfo.TryGetValue("little_endian", out var le) && le is false)
            throw new PickleException("written on a big-endian machine, which Atelier does not read");

        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        object? PersistentLoad(object? pid)
        {
            if (pid is not PickleTuple { Count: 6 } t || t[0] is not "storage")
                throw new PickleException($"unexpected persistent id {PickleFormat.Short(pid)}");
            var dtype = TorchZipReader.StorageDType(t[1]);
            if (t[2] is not string key || key.Length == 0) throw new PickleException("storage key is not a string");
            if (t[4] is not long numel || numel < 0) throw new PickleException($"storage {key} declares an invalid size");
            if (t[5] is not null) throw new PickleException($"storage {key} is a storage view, which Atelier does not read");
            if (storages.TryGetValue(key, out var known))
            {
                if (known.DType != dtype || known.Numel != numel) throw new PickleException($"storage {key} is declared twice differently");
                return known;
            }
            long bytes;
            try { bytes = checked(numel * DType.SizeOf(dtype)); }
            catch (OverflowException) { throw new PickleException($"storage {key} declares {numel} elements, an impossible size"); }
            if (bytes > input.Length) throw new PickleException($"storage {key} declares {numel} elements ({bytes} bytes), more than the whole file");
            var r = new StorageRef(key, dtype, numel, t[3] as string ?? "cpu");
            storages[key] = r;
            return r;
        }
        var root = new Unpickler(input, new RestrictedGlobals(PersistentLoad), limits).Load();

        if (new Unpickler(input, plain, limits).Load() is not PickleList keys || keys.Any(k => k is not string))
            throw new PickleException("storage key list is missing or malformed");

        // Locate every storage's data: the blocks follow in the order of the key list.
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        long pos = input.Position;
        Span<byte> countBytes = stackalloc byte[8];
        foreach (string key in keys.Cast<string>())
        {
            if (!storages.TryGetValue(key, out var s)) throw new PickleException($"storage {key} is listed but never used");
            if (offsets.ContainsKey(key)) throw new PickleException($"storage {key} is listed twice");
            input.Position = pos;
            if (input.Length - pos < 8) throw new PickleException($"file ends before storage {key} (truncated)");
            input.ReadExactly(countBytes);
            long count = BitConverter.ToInt64(countBytes);
            if (count != s.Numel) throw new PickleException($"storage {key} holds {count} elements but the pickle declared {s.Numel}");
            long bytes = s.ByteLength;
            if (bytes > input.Length - pos - 8) throw new PickleException($"storage {key} needs {bytes} bytes but only {input.Length - pos - 8} remain (truncated)");
            offsets[key] = pos + 8;
            pos += 8 + bytes;
        }
        foreach (var key in storages.Keys)
            if (!offsets.ContainsKey(key)) throw new PickleException($"storage {key} is used but has no data");

        return (root, storages, offsets);
    }

    static AtelierException Bad(string path, string reason) => new($"{path}: cannot read legacy PyTorch checkpoint: {reason}");
}
