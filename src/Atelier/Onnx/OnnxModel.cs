using Atelier.IO;
using Atelier.Onnx.Proto;
using Google.Protobuf;

namespace Atelier.Onnx;

/// <summary>
/// An ONNX model read from a file: the graph's nodes in order, its initializers as checked tensors, its inputs and
/// outputs. Reading is bounded and validated: a file that is truncated, claims lengths past its end, declares absurd
/// or negative dimensions, or whose tensor data does not match its shape is refused with one line naming the file.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>The largest file read (protobuf's own limit is 2 GB).</summary>
    public const long MaxFileBytes = int.MaxValue;

    /// <summary>The largest element count of one tensor (4 GB of float32).</summary>
    public const long MaxTensorElements = 1L << 30;

    readonly Dictionary<string, OnnxTensor> _initializers;

    /// <summary>The file it came from (for messages).</summary>
    public string Source { get; }

    /// <summary>The parsed protobuf (for writing a modified copy).</summary>
    public ModelProto Proto { get; }

    public GraphProto Graph => Proto.Graph;

    public IReadOnlyList<NodeProto> Nodes => Proto.Graph.Node;

    /// <summary>Initializers by name, plus the values of Constant nodes (CNTK and others emit those for weights).</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Initializers => _initializers;

    /// <summary>Graph inputs that are not initializers (what the caller feeds).</summary>
    public IReadOnlyList<ValueInfoProto> Inputs { get; }

    public IReadOnlyList<ValueInfoProto> Outputs => Proto.Graph.Output;

    public string Producer => $"{Proto.ProducerName} {Proto.ProducerVersion}".Trim();

    /// <summary>The default-domain opset the model was written for (0 when not declared).</summary>
    public long Opset => Proto.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();

    OnnxModel(ModelProto proto, string source)
    {
        Source = source;
        Proto = proto;
        if (proto.Graph is null) throw new AtelierException($"{source}: not an ONNX model (no graph)");
        _initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (var t in proto.Graph.Initializer)
        {
            if (string.IsNullOrEmpty(t.Name)) throw new AtelierException($"{source}: an initializer has no name");
            _initializers[t.Name] = OnnxTensor.From(t, source);
        }
        foreach (var n in proto.Graph.Node)
        {
            if (n.OpType == "Constant" && n.Output.Count == 1 && n.Attribute.FirstOrDefault(a => a.Name == "value") is { T: { } value })
                _initializers[n.Output[0]] = OnnxTensor.From(value, source);
        }
        Inputs = [.. proto.Graph.Input.Where(i => !_initializers.ContainsKey(i.Name))];
    }

    /// <summary>Reads and checks an ONNX file.</summary>
    public static OnnxModel Load(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new AtelierException($"{path}: no such file");
            if (info.Length > MaxFileBytes) throw new AtelierException($"{path}: {info.Length} bytes is larger than an ONNX file can be ({MaxFileBytes})");
            // Reading the whole file first means every length prefix is checked against the real end of the data
            // before anything is allocated for it.
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e) { throw new AtelierException($"{path}: cannot read: {e.Message}"); }
        catch (UnauthorizedAccessException e) { throw new AtelierException($"{path}: cannot read: {e.Message}"); }
        return Parse(bytes, path);
    }

    /// <summary>Parses an ONNX model from memory; <paramref name="source"/> names it in messages.</summary>
    public static OnnxModel Parse(byte[] bytes, string source)
    {
        if (bytes.Length == 0) throw new AtelierException($"{source}: empty file, not an ONNX model");
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new AtelierException($"{source}: not a valid ONNX model ({Describe(e)})");
        }
        return new OnnxModel(proto, source);
    }

    static string Describe(InvalidProtocolBufferException e) =>
        e.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase) ? "truncated or a length points past the end"
        : e.Message.Contains("recursion", StringComparison.OrdinalIgnoreCase) ? "nested too deeply"
        : e.Message.TrimEnd('.');

    /// <summary>Writes the (possibly modified) model through a temporary file and a rename.</summary>
    public static void Save(ModelProto proto, string path) => AtomicFile.Write(path, s => proto.WriteTo(s));

    /// <summary>The initializer or constant <paramref name="name"/>, or a clear error naming the node that wanted it.</summary>
    public OnnxTensor Constant(string name, NodeProto node) =>
        _initializers.TryGetValue(name, out var t) ? t
            : throw new AtelierException($"{Source}: node '{node.Name}' ({node.OpType}) needs '{name}' to be a constant weight, but it is computed by the graph");
}
