using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Atelier.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training;

/// <summary>
/// Run checkpoints as safetensors files: named tensors plus string metadata (step, options, RNG and optimiser
/// scalars), written atomically so a crash or Ctrl+C never leaves a torn checkpoint. The format is the
/// standard one (8-byte little-endian header length, JSON header with dtype/shape/offsets and __metadata__,
/// raw little-endian data), readable by Python's safetensors.
/// </summary>
public static class Checkpointing
{
    static readonly Dictionary<ScalarType, (string Name, int Size)> DTypes = new()
    {
        [ScalarType.Float32] = ("F32", 4), [ScalarType.Float64] = ("F64", 8), [ScalarType.Float16] = ("F16", 2),
        [ScalarType.BFloat16] = ("BF16", 2), [ScalarType.Int64] = ("I64", 8), [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Byte] = ("U8", 1), [ScalarType.Int8] = ("I8", 1), [ScalarType.Bool] = ("BOOL", 1),
    };

    /// <summary>Writes <paramref name="tensors"/> (any device; copied to CPU) and <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var scope = NewDisposeScope();
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var blobs = new List<byte[]>(names.Count);
        var header = new Dictionary<string, object> { ["__metadata__"] = metadata.ToDictionary(kv => kv.Key, kv => kv.Value) };
        long offset = 0;
        foreach (var name in names)
        {
            var t = tensors[name].detach().cpu().contiguous();
            if (!DTypes.TryGetValue(t.dtype, out var dt)) throw new ArgumentException($"{name}: dtype {t.dtype} cannot be saved");
            var bytes = t.numel() == 0 ? [] : t.bytes.ToArray();
            blobs.Add(bytes);
            header[name] = new Dictionary<string, object>
            {
                ["dtype"] = dt.Name, ["shape"] = t.shape, ["data_offsets"] = new[] { offset, offset + bytes.LongLength },
            };
            offset += bytes.LongLength;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        int pad = (8 - json.Length % 8) % 8; // keep the data 8-byte aligned, as the reference writer does
        var headerBytes = new byte[json.Length + pad];
        json.CopyTo(headerBytes, 0);
        for (int i = json.Length; i < headerBytes.Length; i++) headerBytes[i] = (byte)' ';
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
            s.Write(len);
            s.Write(headerBytes);
            foreach (var b in blobs) s.Write(b);
        });
    }

    /// <summary>Reads a safetensors file: CPU tensors (owned by the caller) and the metadata.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new AtelierException($"{path}: checkpoint not found"); }
        if (data.Length < 8) throw new AtelierException($"{path}: not a safetensors checkpoint (too short)");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (headerLen > (ulong)data.Length - 8) throw new AtelierException($"{path}: not a safetensors checkpoint (bad header length)");
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var doc = JsonDocument.Parse(data.AsMemory(8, (int)headerLen));
            long dataStart = 8 + (long)headerLen;
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                var dtName = prop.Value.GetProperty("dtype").GetString();
                var (type, size) = DTypes.Where(kv => kv.Value.Name == dtName).Select(kv => (kv.Key, kv.Value.Size)).FirstOrDefault();
                if (size == 0) throw new AtelierException($"{path}: tensor {prop.Name} has unsupported dtype {dtName}");
                var shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offs = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                long count = shape.Aggregate(1L, (a, b) => a * b);
                if (offs.Length != 2 || offs[1] - offs[0] != count * size || dataStart + offs[1] > data.Length)
                    throw new AtelierException($"{path}: tensor {prop.Name} has inconsistent offsets (file truncated?)");
                var t = empty(shape, type);
                if (count > 0) data.AsSpan((int)(dataStart + offs[0]), (int)(count * size)).CopyTo(t.bytes);
                tensors[prop.Name] = t;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new AtelierException($"{path}: not a safetensors checkpoint ({e.Message})");
        }
        return (tensors, metadata);
    }

    /// <summary>A tensor a checkpoint must hold, of <paramref name="shape"/> when given.</summary>
    public static Tensor Require(IReadOnlyDictionary<string, Tensor> tensors, string key, long[]? shape)
    {
        if (!tensors.TryGetValue(key, out var t)) throw new AtelierException($"checkpoint lacks tensor {key} (written by another kind of run?)");
        if (shape != null && !t.shape.SequenceEqual(shape))
            throw new AtelierException($"checkpoint tensor {key} is [{string.Join(",", t.shape)}], expected [{string.Join(",", shape)}] (another architecture?)");
        return t;
    }

    public static string Require(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var v) ? v : throw new AtelierException($"checkpoint lacks metadata {key} (written by another kind of run?)");

    /// <summary>Copies a module's parameters and buffers from <paramref name="tensors"/> under <paramref name="prefix"/>, checking names and shapes.</summary>
    public static void LoadModule(nn.Module module, string prefix, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var noGrad = no_grad();
        foreach (var (name, target) in module.state_dict())
            target.copy_(Require(tensors, $"{prefix}.{name}", target.shape));
    }

    /// <summary>Adds a module's parameters and buffers under <paramref name="prefix"/>.</summary>
    public static void AddModule(nn.Module module, string prefix, IDictionary<string, Tensor> tensors)
    {
        foreach (var (name, t) in module.state_dict()) tensors[$"{prefix}.{name}"] = t;
    }
}
