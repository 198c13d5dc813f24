using static TorchSharp.torch;

namespace Atelier.Checkpoints;

/// <summary>
/// The element types Atelier reads and writes in checkpoints, with their names in the two file formats:
/// safetensors dtype codes ("F32") and PyTorch storage class names ("FloatStorage").
/// </summary>
public static class DType
{
    sealed record Info(ScalarType Type, int Size, string SafeTensorsName, string StorageName, string TorchName);

    static readonly Info[] Known =
    [
        new(ScalarType.Float32, 4, "F32", "FloatStorage", "float32"),
        new(ScalarType.Float16, 2, "F16", "HalfStorage", "float16"),
        new(ScalarType.BFloat16, 2, "BF16", "BFloat16Storage", "bfloat16"),
        new(ScalarType.Float64, 8, "F64", "DoubleStorage", "float64"),
        new(ScalarType.Int64, 8, "I64", "LongStorage", "int64"),
        new(ScalarType.Int32, 4, "I32", "IntStorage", "int32"),
        new(ScalarType.Int16, 2, "I16", "ShortStorage", "int16"),
        new(ScalarType.Int8, 1, "I8", "CharStorage", "int8"),
        new(ScalarType.Byte, 1, "U8", "ByteStorage", "uint8"),
        new(ScalarType.Bool, 1, "BOOL", "BoolStorage", "bool"),
    ];

    /// <summary>Bytes per element of <paramref name="type"/>.</summary>
    public static int SizeOf(ScalarType type) =>
        Find(i => i.Type == type)?.Size ?? throw new AtelierException($"unsupported tensor dtype {type}");

    /// <summary>The safetensors code ("F32", "BF16", ...) of <paramref name="type"/>.</summary>
    public static string ToSafeTensors(ScalarType type) =>
        Find(i => i.Type == type)?.SafeTensorsName ?? throw new AtelierException($"dtype {type} cannot be stored in safetensors by Atelier");

    /// <summary>The dtype of a safetensors code, or null when unknown.</summary>
    public static ScalarType? FromSafeTensors(string code) => Find(i => i.SafeTensorsName == code)?.Type;

    /// <summary>The dtype of a PyTorch typed storage class name ("FloatStorage"), or null when unknown.</summary>
    public static ScalarType? FromStorageName(string name) => Find(i => i.StorageName == name)?.Type;

    /// <summary>The dtype of a torch dtype attribute name ("float32", "half", ...), or null when unknown.</summary>
    public static ScalarType? FromTorchName(string name) => name switch
    {
        "float" => ScalarType.Float32,
        "half" => ScalarType.Float16,
        "double" => ScalarType.Float64,
        "long" => ScalarType.Int64,
        "int" => ScalarType.Int32,
        "short" => ScalarType.Int16,
        _ => Find(i => i.TorchName == name)?.Type,
    };

    /// <summary>PyTorch's name of <paramref name="type"/> ("float32"), as inspect tables print it.</summary>
    public static string Name(ScalarType type) => Find(i => i.Type == type)?.TorchName ?? type.ToString().ToLowerInvariant();

    static Info? Find(Func<Info, bool> match)
    {
        foreach (var i in Known) if (match(i)) return i;
        return null;
    }
}
