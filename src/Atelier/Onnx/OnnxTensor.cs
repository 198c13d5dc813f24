using System.Runtime.InteropServices;
using Atelier.Onnx.Proto;
using static TorchSharp.torch;

namespace Atelier.Onnx;

/// <summary>
/// A checked tensor from an ONNX file: its shape, and its values as float32 (FLOAT, DOUBLE, FLOAT16) or int64
/// (INT64, INT32). The element count is bounded and must equal what the data holds, so a hostile file cannot make
/// Atelier allocate what it does not contain.
/// </summary>
public sealed class OnnxTensor
{
    public string Name { get; }
    public long[] Dims { get; }
    public TensorProto.Types.DataType DataType { get; }
    public long ElementCount { get; }

    readonly float[]? _floats;
    readonly long[]? _longs;

    OnnxTensor(string name, long[] dims, TensorProto.Types.DataType type, long count, float[]? floats, long[]? longs)
    {
        Name = name; Dims = dims; DataType = type; ElementCount = count; _floats = floats; _longs = longs;
    }

    public bool IsFloat => _floats is not null;

    /// <summary>The values as float32, in row-major order.</summary>
    public float[] Floats => _floats ?? throw new AtelierException($"ONNX tensor '{Name}' holds {DataType}, not floating-point values");

    /// <summary>The values as int64 (shapes, axes).</summary>
    public long[] Longs => _longs ?? throw new AtelierException($"ONNX tensor '{Name}' holds {DataType}, not integers");

    /// <summary>A float32 TorchSharp tensor of this shape on <paramref name="device"/>.</summary>
    public Tensor ToTorch(Device? device = null)
    {
        var t = tensor(Floats, Dims); // a copy of the values already
        if (device is null || device.type == TorchSharp.DeviceType.CPU) return t;
        using (t) return t.to(device);
    }

    public static OnnxTensor From(TensorProto t, string source)
    {
        string name = string.IsNullOrEmpty(t.Name) ? "(unnamed)" : t.Name;
        string where = $"{source}: tensor '{name}'";
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw new AtelierException($"{where} keeps its data in an external file, which Atelier does not read");
        var dims = t.Dims.ToArray();
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new AtelierException($"{where} has a negative dimension ({string.Join("x", dims)})");
            if (d > 0 && count > MaxCount / d) throw new AtelierException($"{where} claims {string.Join("x", dims)} elements, more than Atelier reads ({OnnxModel.MaxTensorElements})");
            count *= d;
        }
        var type = (TensorProto.Types.DataType)t.DataType;
        int raw = t.RawData.Length;
        void Expect(long have, string what)
        {
            if (have != count)
                throw new AtelierException($"{where}: shape {string.Join("x", dims)} needs {count} values, the file holds {have} ({what})");
        }
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                if (raw > 0) { Expect(raw / 4, "raw"); if (raw % 4 != 0) Expect(-1, "raw"); return new(name, dims, type, count, MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray(), null); }
                Expect(t.FloatData.Count, "float_data");
                return new(name, dims, type, count, [.. t.FloatData], null);
            case TensorProto.Types.DataType.Double:
                if (raw > 0) { Expect(raw / 8, "raw"); if (raw % 8 != 0) Expect(-1, "raw"); return new(name, dims, type, count, [.. MemoryMarshal.Cast<byte, double>(t.RawData.Span).ToArray().Select(v => (float)v)], null); }
                Expect(t.DoubleData.Count, "double_data");
                return new(name, dims, type, count, [.. t.DoubleData.Select(v => (float)v)], null);
            case TensorProto.Types.DataType.Float16:
                if (raw > 0) { Expect(raw / 2, "raw"); if (raw % 2 != 0) Expect(-1, "raw"); return new(name, dims, type, count, [.. MemoryMarshal.Cast<byte, Half>(t.RawData.Span).ToArray().Select(v => (float)v)], null); }
                Expect(t.Int32Data.Count, "int32_data");
                return new(name, dims, type, count, [.. t.Int32Data.Select(v => (float)BitConverter.UInt16BitsToHalf((ushort)v))], null);
            case TensorProto.Types.DataType.Int64:
                if (raw > 0) { Expect(raw / 8, "raw"); if (raw % 8 != 0) Expect(-1, "raw"); return new(name, dims, type, count, null, MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray()); }
                Expect(t.Int64Data.Count, "int64_data");
                return new(name, dims, type, count, null, [.. t.Int64Data]);
            case TensorProto.Types.DataType.Int32:
                if (raw > 0) { Expect(raw / 4, "raw"); if (raw % 4 != 0) Expect(-1, "raw"); return new(name, dims, type, count, null, [.. MemoryMarshal.Cast<byte, int>(t.RawData.Span).ToArray().Select(v => (long)v)]); }
                Expect(t.Int32Data.Count, "int32_data");
                return new(name, dims, type, count, null, [.. t.Int32Data.Select(v => (long)v)]);
            default:
                // Kept without values: an op that needs them says so.
                return new(name, dims, type, count, null, null);
        }
    }

    const long MaxCount = OnnxModel.MaxTensorElements;

    /// <summary>Writes a float32 tensor as an ONNX TensorProto (raw little-endian data).</summary>
    public static TensorProto ToProto(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(dims);
        proto.RawData = Google.Protobuf.ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        return proto;
    }
}
