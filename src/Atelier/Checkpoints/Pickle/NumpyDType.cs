using System.Buffers.Binary;

namespace Atelier.Checkpoints.Pickle;

/// <summary>
/// A numpy dtype as pickled (<c>numpy.dtype('f8', False, True)</c> then a BUILD with its byte order), kept as data.
/// NVlabs' networks store gains such as <c>weight_gain = lr_multiplier / np.sqrt(in_features)</c> as numpy scalars.
/// </summary>
public sealed class NumpyDType
{
    public NumpyDType(string code) => Code = code;

    /// <summary>The type code: f8, f4, i8, i4, i2, i1, u1, b1.</summary>
    public string Code { get; }

    /// <summary>'&lt;' little-endian, '|' not applicable, '&gt;' big-endian (set by BUILD).</summary>
    public string ByteOrder { get; private set; } = "<";

    /// <summary>BUILD: numpy's state tuple (version, byte order, subarray, names, fields, elsize, alignment, flags).</summary>
    public void SetState(object? state)
    {
        if (state is not PickleTuple { Count: >= 2 } t || t[1] is not string order)
            throw new PickleException("numpy dtype state is not the expected tuple");
        if (t.Count >= 5 && (t[2] is not (null or PickleNone) || t[3] is not (null or PickleNone) || t[4] is not (null or PickleNone)))
            throw new PickleException($"structured numpy dtype '{Code}' refused");
        ByteOrder = order;
    }

    /// <summary><c>numpy.dtype(code, align, copy)</c>: only the plain scalar types.</summary>
    public static NumpyDType Create(PickleTuple args)
    {
        if (args.Count < 1 || args[0] is not string code || code is not ("f8" or "f4" or "f2" or "i8" or "i4" or "i2" or "i1" or "u1" or "b1"))
            throw new PickleException($"numpy dtype {(args.Count > 0 ? PickleFormat.Short(args[0]) : "()")} refused (only plain number types are read)");
        return new NumpyDType(code);
    }

    /// <summary><c>numpy.core.multiarray.scalar(dtype, bytes)</c>: a number (double, long or bool).</summary>
    public static object Scalar(PickleTuple args)
    {
        if (args.Count != 2 || args[0] is not NumpyDType dtype)
            throw new PickleException("numpy scalar called with unexpected arguments");
        var raw = args[1] switch
        {
            byte[] b => b,
            // Protocol 2 spells bytes as latin-1 text.
            string s => System.Text.Encoding.Latin1.GetBytes(s),
            _ => throw new PickleException("numpy scalar data is not bytes"),
        };
        int size = dtype.Code[1] - '0';
        if (raw.Length != size) throw new PickleException($"numpy {dtype.Code} scalar of {raw.Length} bytes");
        if (dtype.ByteOrder == ">") Array.Reverse(raw);
        return dtype.Code switch
        {
            "f8" => BinaryPrimitives.ReadDoubleLittleEndian(raw),
            "f4" => (double)BinaryPrimitives.ReadSingleLittleEndian(raw),
            "f2" => (double)BinaryPrimitives.ReadHalfLittleEndian(raw),
            "i8" => BinaryPrimitives.ReadInt64LittleEndian(raw),
            "i4" => (long)BinaryPrimitives.ReadInt32LittleEndian(raw),
            "i2" => (long)BinaryPrimitives.ReadInt16LittleEndian(raw),
            "i1" => (long)(sbyte)raw[0],
            "u1" => (long)raw[0],
            _ => raw[0] != 0,
        };
    }

    public override string ToString() => $"dtype('{Code}')";
}
