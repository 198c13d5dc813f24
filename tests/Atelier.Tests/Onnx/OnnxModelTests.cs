using Atelier.Networks;
using Atelier.Onnx;
using Atelier.Onnx.Proto;
using Google.Protobuf;
using Xunit;

namespace Atelier.Tests.Onnx;

/// <summary>Malformed and hostile ONNX files get one clear line naming the file, never a crash or a huge allocation.</summary>
public class OnnxModelTests
{
    static ModelProto TinyResNetLike(Action<GraphProto>? change = null)
    {
        var g = new GraphProto { Name = "tiny" };
        g.Input.Add(new ValueInfoProto { Name = "x" });
        g.Initializer.Add(OnnxTensor.ToProto("w", [4, 3, 3, 3], new float[4 * 3 * 3 * 3]));
        g.Initializer.Add(OnnxTensor.ToProto("w2", [4, 4, 3, 3], new float[4 * 4 * 3 * 3]));
        var conv = new NodeProto { Name = "conv", OpType = "Conv", Input = { "x", "w" }, Output = { "c" } };
        conv.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
        var conv2 = new NodeProto { Name = "conv2", OpType = "Conv", Input = { "r", "w2" }, Output = { "c2" } };
        conv2.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
        g.Node.Add(conv);
        g.Node.Add(new NodeProto { Name = "relu", OpType = "Relu", Input = { "c" }, Output = { "r" } });
        g.Node.Add(conv2);
        g.Node.Add(new NodeProto { Name = "add", OpType = "Add", Input = { "c2", "r" }, Output = { "a" } });
        g.Node.Add(new NodeProto { Name = "relu2", OpType = "Relu", Input = { "a" }, Output = { "y" } });
        g.Output.Add(new ValueInfoProto { Name = "y" });
        change?.Invoke(g);
        return new ModelProto { IrVersion = 8, Graph = g, OpsetImport = { new OperatorSetIdProto { Version = 13 } } };
    }

    static string Write(TempDir dir, string name, byte[] bytes)
    {
        var path = Path.Combine(dir.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ATinyGraphBuildsAndRuns()
    {
        using var dir = TestPaths.NewTempDir();
        var path = Write(dir, "tiny.onnx", TinyResNetLike().ToByteArray());
        using var net = ResNetFeatures.Load(path);
        Assert.Equal(["conv1", "layer1.0"], net.LayerNames);
        using var x = TorchSharp.torch.rand(1, 3, 40, 40);
        var f = net.Features(x, ["layer1.0"]);
        Assert.Equal(new long[] { 1, 4, 40, 40 }, f["layer1.0"].shape);
    }

    [Fact]
    public void TruncatedAndGarbageFilesAreRefused()
    {
        using var dir = TestPaths.NewTempDir();
        var bytes = TinyResNetLike().ToByteArray();
        var truncated = Write(dir, "truncated.onnx", bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<AtelierException>(() => OnnxModel.Load(truncated));
        Assert.StartsWith(truncated, e.Message);
        Assert.Contains("not a valid ONNX model", e.Message);

        var garbage = Write(dir, "garbage.onnx", [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251))]);
        e = Assert.Throws<AtelierException>(() => OnnxModel.Load(garbage));
        Assert.StartsWith(garbage, e.Message);

        var empty = Write(dir, "empty.onnx", []);
        Assert.Contains("empty", Assert.Throws<AtelierException>(() => OnnxModel.Load(empty)).Message);
        Assert.Contains("no such file", Assert.Throws<AtelierException>(() => OnnxModel.Load(Path.Combine(dir.Path, "absent.onnx"))).Message);
    }

    [Fact]
    public void AbsurdDimsAndMismatchedDataAreRefused()
    {
        using var dir = TestPaths.NewTempDir();
        // A 10 GB claim with 16 bytes of data.
        var huge = TinyResNetLike(g =>
        {
            var t = new TensorProto { Name = "huge", DataType = 1, RawData = ByteString.CopyFrom(new byte[16]) };
            t.Dims.AddRange([50_000, 50_000]);
            g.Initializer.Add(t);
        });
        var e = Assert.Throws<AtelierException>(() => OnnxModel.Load(Write(dir, "huge.onnx", huge.ToByteArray())));
        Assert.Contains("'huge'", e.Message);
        Assert.Contains("50000x50000", e.Message);

        var overflow = TinyResNetLike(g =>
        {
            var t = new TensorProto { Name = "overflow", DataType = 1 };
            t.Dims.AddRange([long.MaxValue / 2, 4]);
            g.Initializer.Add(t);
        });
        e = Assert.Throws<AtelierException>(() => OnnxModel.Load(Write(dir, "overflow.onnx", overflow.ToByteArray())));
        Assert.Contains("more than Atelier reads", e.Message);

        var negative = TinyResNetLike(g => g.Initializer.Add(new TensorProto { Name = "neg", DataType = 1, Dims = { -3 } }));
        Assert.Contains("negative", Assert.Throws<AtelierException>(() => OnnxModel.Load(Write(dir, "neg.onnx", negative.ToByteArray()))).Message);

        var external = TinyResNetLike(g => g.Initializer.Add(new TensorProto { Name = "ext", DataType = 1, Dims = { 3 }, DataLocation = TensorProto.Types.DataLocation.External }));
        Assert.Contains("external file", Assert.Throws<AtelierException>(() => OnnxModel.Load(Write(dir, "ext.onnx", external.ToByteArray()))).Message);
    }

    [Fact]
    public void UnsupportedOpsAndWrongWeightsNameTheNode()
    {
        using var dir = TestPaths.NewTempDir();
        var sigmoid = TinyResNetLike(g => g.Node[1].OpType = "Sigmoid");
        var path = Write(dir, "sigmoid.onnx", sigmoid.ToByteArray());
        var e = Assert.Throws<AtelierException>(() => ResNetFeatures.Load(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("node 'relu' (Sigmoid): unsupported operator", e.Message);

        var wrongShape = TinyResNetLike(g => g.Initializer[1] = OnnxTensor.ToProto("w2", [4, 5, 3, 3], new float[4 * 5 * 3 * 3]));
        e = Assert.Throws<AtelierException>(() => ResNetFeatures.Load(Write(dir, "shape.onnx", wrongShape.ToByteArray())));
        Assert.Contains("takes 5 channels, its input has 4", e.Message);

        var noResidual = TinyResNetLike(g => { g.Node.RemoveAt(4); g.Node.RemoveAt(3); });
        e = Assert.Throws<AtelierException>(() => ResNetFeatures.Load(Write(dir, "plain.onnx", noResidual.ToByteArray())));
        Assert.Contains("not a ResNet graph", e.Message);
    }
}
