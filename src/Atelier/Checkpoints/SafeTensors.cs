using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using Atelier.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Checkpoints;

/// <summary>One tensor's entry in a safetensors header: dtype, shape and its byte span in the data section.</summary>
public sealed record SafeTensorsEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

/// <summary>A parsed and validated safetensors header.</summary>
public sealed record SafeTensorsHeader(
    IReadOnlyList<SafeTensorsEntry> Entries,
    IReadOnlyDictionary<string, string> Metadata,
    long DataStart);

/// <summary>The tensors and metadata of a safetensors file. Disposing it disposes the tensors.</summary>
public sealed class SafeTensorsContent : IDisposable
{
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    internal SafeTensorsContent(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}

/// <summary>
/// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header length,
/// a JSON header naming every tensor's dtype, shape and byte span, then the raw little-endian data.
/// Atelier saves its own models this way, with the architecture and hyperparameters in <c>__metadata__</c>
/// (see <see cref="ModelMetadata"/>), so a model file alone rebuilds its network.
/// </summary>
public static class SafeTensors
{
    /// <summary>Headers larger than this are refused (real ones are KBs; this bounds the JSON parse).</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    const string MetadataKey = "__metadata__";

    /// <summary>Writes <paramref name="tensors"/> (any device, any layout) and optional string metadata, atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        // Names in ordinal order, data back to back in that order: deterministic files for the same content.
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var header = new MemoryStream();
        long offset = 0;
        var spans = new List<(string Name, long Bytes)>();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var name in names)
            {
                if (name == MetadataKey) throw new AtelierException($"{path}: a tensor cannot be named {MetadataKey}");
                var t = tensors[name];
                long bytes = checked(t.numel() * DType.SizeOf(t.dtype));
                w.WriteStartObject(name);
                w.WriteString("dtype", DType.ToSafeTensors(t.dtype));
                w.WriteStartArray("shape");
                foreach (var d in t.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                spans.Add((name, bytes));
                offset += bytes;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 so the data section is aligned (as the reference writer does).
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');
        var headerBytes = header.ToArray();

        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BitConverter.TryWriteBytes(len, (ulong)headerBytes.Length);
            if (!BitConverter.IsLittleEndian) len.Reverse();
            s.Write(len);
            s.Write(headerBytes);
            foreach (var (name, bytes) in spans)
            {
                if (bytes == 0) continue;
                using var scope = torch.NewDisposeScope();
                var t = tensors[name].detach().cpu().contiguous();
                s.Write(t.bytes);
            }
        });
    }

    /// <summary>Reads and validates the header only (cheap: no tensor data is touched).</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var fs = OpenRead(path);
        return ReadHeader(path, fs);
    }

    /// <summary>Loads every tensor (on the CPU) and the metadata. The file is memory-mapped, not read into managed memory.</summary>
    public static SafeTensorsContent Load(string path)
    {
        using var fs = OpenRead(path);
        var header = ReadHeader(path, fs);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            if (header.Entries.Any(e => e.End > e.Begin))
            {
                using var map = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
                using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                CopyOut(header, view, result);
            }
            else
            {
                foreach (var e in header.Entries) result[e.Name] = torch.empty(e.Shape, e.DType);
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return new SafeTensorsContent(result, header.Metadata);
    }

    static unsafe void CopyOut(SafeTensorsHeader header, MemoryMappedViewAccessor view, Dictionary<string, Tensor> result)
    {
        byte* basePtr = null;
        var handle = view.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref basePtr);
        try
        {
            byte* data = basePtr + view.PointerOffset + header.DataStart;
            foreach (var e in header.Entries)
            {
                var t = torch.empty(e.Shape, e.DType);
                result[e.Name] = t;
                long n = e.End - e.Begin;
                if (n == 0) continue;
                var dst = t.bytes;
                if (dst.Length != n) throw new InvalidOperationException("tensor size does not match its byte span");
                new ReadOnlySpan<byte>(data + e.Begin, checked((int)n)).CopyTo(dst);
            }
        }
        finally { handle.ReleasePointer(); }
    }

    static FileStream OpenRead(string path)
    {
        if (!File.Exists(path)) throw new AtelierException($"{path}: no such file");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    static SafeTensorsHeader ReadHeader(string path, FileStream fs)
    {
        long fileLength = fs.Length;
        if (fileLength < 8) throw Bad(path, $"file is {fileLength} bytes, too short for a header");
        Span<byte> len = stackalloc byte[8];
        fs.ReadExactly(len);
        ulong headerLength = BitConverter.ToUInt64(len);
        if (headerLength > (ulong)MaxHeaderBytes) throw Bad(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        if ((long)headerLength > fileLength - 8) throw Bad(path, $"header length {headerLength} runs past the end of the {fileLength}-byte file");
        var json = new byte[headerLength];
        fs.ReadExactly(json);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException e) { throw Bad(path, "header is not valid JSON: " + e.Message); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "header is not a JSON object");
            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw Bad(path, $"name '{prop.Name}' appears twice in the header");
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(path, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"__metadata__ value '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(path, prop));
            }
            Validate(path, entries, dataLength);
            return new SafeTensorsHeader(entries, metadata, dataStart);
        }
    }

    static SafeTensorsEntry ParseEntry(string path, JsonProperty prop)
    {
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Bad(path, $"tensor '{prop.Name}' is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Bad(path, $"tensor '{prop.Name}' has no dtype");
        var code = dt.GetString()!;
        var dtype = DType.FromSafeTensors(code) ?? throw Bad(path, $"tensor '{prop.Name}' has unknown dtype '{code}'");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"tensor '{prop.Name}' has no shape");
        if (sh.GetArrayLength() > 64) throw Bad(path, $"tensor '{prop.Name}' has {sh.GetArrayLength()} dimensions");
        var shape = new long[sh.GetArrayLength()];
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var n) || n < 0)
                throw Bad(path, $"tensor '{prop.Name}' has an invalid shape");
            shape[i++] = n;
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad(path, $"tensor '{prop.Name}' has no data_offsets pair");
        var o = off.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out var n) && n >= 0 ? n : -1).ToArray();
        if (o[0] < 0 || o[1] < 0 || o[1] < o[0]) throw Bad(path, $"tensor '{prop.Name}' has invalid data_offsets");
        return new SafeTensorsEntry(prop.Name, dtype, shape, o[0], o[1]);
    }

    /// <summary>Spans must tile the data section exactly: contiguous from 0, no overlap, sizes matching shapes.</summary>
    static void Validate(string path, List<SafeTensorsEntry> entries, long dataLength)
    {
        foreach (var e in entries)
        {
            long numel = 1;
            try
            {
                foreach (var d in e.Shape) numel = checked(numel * d);
                long bytes = checked(numel * DType.SizeOf(e.DType));
                if (bytes != e.End - e.Begin)
                    throw Bad(path, $"tensor '{e.Name}': shape [{string.Join(", ", e.Shape)}] of {DType.ToSafeTensors(e.DType)} needs {bytes} bytes but its span holds {e.End - e.Begin}");
            }
            catch (OverflowException) { throw Bad(path, $"tensor '{e.Name}': shape [{string.Join(", ", e.Shape)}] is impossibly large"); }
            if (e.End > dataLength) throw Bad(path, $"tensor '{e.Name}': bytes {e.Begin}..{e.End} lie beyond the {dataLength}-byte data section");
            if (e.End - e.Begin > int.MaxValue) throw Bad(path, $"tensor '{e.Name}' is larger than 2 GB, which Atelier does not load");
        }
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != expected)
                throw Bad(path, e.Begin < expected
                    ? $"tensor '{e.Name}' overlaps the previous tensor's bytes"
                    : $"gap in the data section before tensor '{e.Name}' (bytes {expected}..{e.Begin})");
            expected = e.End;
        }
        if (expected != dataLength) throw Bad(path, $"data section is {dataLength} bytes but the tensors cover {expected}");
    }

    static AtelierException Bad(string path, string reason) => new($"{path}: not a valid safetensors file: {reason}");
}
