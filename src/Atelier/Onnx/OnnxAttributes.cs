using Atelier.Onnx.Proto;

namespace Atelier.Onnx;

/// <summary>Typed access to a node's attributes, with the op's defaults and errors that name the node.</summary>
public static class OnnxAttributes
{
    public static long[] Ints(NodeProto node, string name, long[] fallback) =>
        Find(node, name) is { } a ? [.. a.Ints] : fallback;

    public static long Int(NodeProto node, string name, long fallback) =>
        Find(node, name) is { } a ? a.I : fallback;

    public static float Float(NodeProto node, string name, float fallback) =>
        Find(node, name) is { } a ? a.F : fallback;

    public static string String(NodeProto node, string name, string fallback) =>
        Find(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);
}
