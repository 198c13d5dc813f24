using Atelier.Onnx.Proto;
using Google.Protobuf;
using static TorchSharp.torch;

namespace Atelier.Onnx.Export;

/// <summary>
/// Builds an ONNX graph node by node: float initializers copied from TorchSharp tensors, nodes with unique output
/// names, and image inputs and outputs whose batch, height and width are symbolic (dynamic) dimensions.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The opset written when the caller names none: 17 is read by every ONNX Runtime since 1.11 and has every op used here.</summary>
    public const int DefaultOpset = 17;

    /// <summary>The oldest opset written: Resize without a required roi and Pad's pads as an input need 13.</summary>
    public const int MinOpset = 13;

    /// <summary>The newest opset written (ONNX Runtime 1.32 reads it; none of the ops used here changed after 13 in a way that matters).</summary>
    public const int MaxOpset = 21;

    readonly GraphProto _graph = new();
    readonly HashSet<string> _names = new(StringComparer.Ordinal);
    readonly Dictionary<Tensor, string> _written = new(ReferenceEqualityComparer.Instance);
    int _counter;

    public OnnxGraphBuilder(string name) => _graph.Name = name;

    /// <summary>A name not used before in this graph, from <paramref name="hint"/>.</summary>
    public string Unique(string hint)
    {
        var name = hint;
        while (!_names.Add(name)) name = $"{hint}_{++_counter}";
        return name;
    }

    /// <summary>An N×C×H×W float input with symbolic batch, height and width.</summary>
    public string ImageInput(string name, long channels)
    {
        _graph.Input.Add(ImageValue(Unique(name), channels, "batch", "height", "width"));
        return name;
    }

    /// <summary>A float input of fixed shape, negative dimensions symbolic (the batch).</summary>
    public string Input(string name, params long[] dims)
    {
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (var d in dims) type.Shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        _graph.Input.Add(new ValueInfoProto { Name = Unique(name), Type = new TypeProto { TensorType = type } });
        return name;
    }

    /// <summary>Marks <paramref name="value"/> as the N×C×H×W output named <paramref name="name"/> (an Identity renames it).</summary>
    public void ImageOutput(string value, string name, long channels)
    {
        Node("Identity", [value], name);
        _graph.Output.Add(ImageValue(name, channels, "batch", "out_height", "out_width"));
    }

    /// <summary>Marks <paramref name="value"/> as an output of fixed shape except a symbolic batch (negative dims).</summary>
    public void Output(string value, string name, params long[] dims)
    {
        Node("Identity", [value], name);
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (var d in dims) type.Shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        _graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } });
    }

    static ValueInfoProto ImageValue(string name, long channels, string batch, string height, string width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = channels });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = height });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    /// <summary>
    /// A float initializer holding a copy of <paramref name="tensor"/> (any dtype or device; written as float32). A tensor
    /// parameter written before is named again, not copied: AdaIN's encoder runs on two images with one set of weights.
    /// (Only parameters: they live as long as their module, where a temporary's identity could be reused.)
    /// </summary>
    public string Initializer(string hint, Tensor tensor)
    {
        if (tensor is TorchSharp.Modules.Parameter && _written.TryGetValue(tensor, out var existing)) return existing;
        using var cpu = tensor.detach().to(ScalarType.Float32, CPU).contiguous();
        var name = Unique(hint);
        _graph.Initializer.Add(OnnxTensor.ToProto(name, cpu.shape, cpu.data<float>().ToArray()));
        if (tensor is TorchSharp.Modules.Parameter) _written[tensor] = name;
        return name;
    }

    /// <summary>A float initializer from values.</summary>
    public string Initializer(string hint, long[] dims, float[] values)
    {
        var name = Unique(hint);
        _graph.Initializer.Add(OnnxTensor.ToProto(name, dims, values));
        return name;
    }

    /// <summary>An int64 initializer (shapes, pads, axes).</summary>
    public string Int64Initializer(string hint, params long[] values)
    {
        var name = Unique(hint);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        _graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds a node; returns the name of its (single) output.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string outputHint, params AttributeProto[] attributes)
    {
        var output = Unique(outputHint);
        var node = new NodeProto { OpType = opType, Name = Unique("node_" + output) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>The finished model at <paramref name="opset"/>.</summary>
    public ModelProto Build(int opset, string docString)
    {
        if (opset < MinOpset || opset > MaxOpset)
            throw new AtelierUsageException($"{{Opset}} {opset}: Atelier writes opsets {MinOpset} to {MaxOpset}");
        return new ModelProto
        {
            // IR version 8 goes with opsets 17 and 18; older runtimes refuse newer IR versions for no gain here.
            IrVersion = 8,
            ProducerName = "Atelier",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            DocString = docString,
            Graph = _graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = opset } },
        };
    }
}
