using Atelier.Networks;
using Atelier.Onnx;
using Atelier.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Networks;

/// <summary>
/// The built-in ImageNet ResNet-18 (ML.NET's ONNX file, restored with the build) against ONNX Runtime on the same
/// file: the pooled output and intermediate taps, exposed as extra graph outputs in a copy written by Atelier's own
/// protobuf code.
/// </summary>
public class ResNetFeaturesTests
{
    static readonly Lazy<ResNetFeatures> Net = new(ResNetFeatures.BuiltIn);

    [Fact]
    public void BuiltInHasNamedTapsWithChannelsAndStrides()
    {
        var net = Net.Value;
        Assert.Equal("resnet18", net.Description);
        Assert.Equal(["conv1", "maxpool", "layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0", "layer3.1", "layer4.0", "layer4.1", "layer4.2", "avgpool"], net.LayerNames);
        Assert.Equal((64, 2), (net.ChannelsOf("conv1"), net.StrideOf("conv1")));
        Assert.Equal((64, 4), (net.ChannelsOf("layer1.1"), net.StrideOf("layer1.1")));
        Assert.Equal((128, 8), (net.ChannelsOf("layer2.0"), net.StrideOf("layer2.0")));
        Assert.Equal((256, 16), (net.ChannelsOf("layer3.0"), net.StrideOf("layer3.0")));
        Assert.Equal((512, 32), (net.ChannelsOf("layer4.2"), net.StrideOf("layer4.2")));
        Assert.Empty(net.parameters());
        using var scope = NewDisposeScope();
        var x = rand(1, 3, 70, 90);
        var f = net.Features(x, ["conv1", "layer2.1", "layer4.0"]);
        Assert.Equal(new long[] { 1, 64, 35, 45 }, f["conv1"].shape);
        Assert.Equal(new long[] { 1, 128, 9, 12 }, f["layer2.1"].shape);
        Assert.Equal(new long[] { 1, 512, 3, 3 }, f["layer4.0"].shape);
        var e = Assert.Throws<AtelierException>(() => net.Features(rand(1, 3, 10, 40), ["conv1"]));
        Assert.Contains("40x10", e.Message);
        Assert.Contains("at least 16x16", e.Message);
    }

    [Fact]
    public void PreprocessingIsTheFilesMeanImageReducedToChannelMeansInBgr()
    {
        using var scope = NewDisposeScope();
        // A pure red image: after preprocessing the BGR channels are 0-103.06, 0-115.90, 255-123.15.
        var red = zeros(1, 3, 4, 4);
        red[0, 0].fill_(1.0);
        var p = Net.Value.Preprocess(red);
        Assert.Equal(-103.06, p[0, 0, 0, 0].item<float>(), 1);
        Assert.Equal(-115.90, p[0, 1, 0, 0].item<float>(), 1);
        Assert.Equal(255 - 123.15, p[0, 2, 0, 0].item<float>(), 1);
    }

    [Fact]
    public void MatchesOnnxRuntimeOnTheSameFile()
    {
        var net = Net.Value;
        string[] taps = ["conv1", "layer2.0", "layer3.1", "layer4.2"];
        var model = OnnxModel.Load(ResNetFeatures.BuiltInPath);
        var proto = model.Proto.Clone();
        foreach (var tap in taps)
            proto.Graph.Output.Add(new ValueInfoProto { Name = net.ValueNameOf(tap), Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        using var dir = TestPaths.NewTempDir();
        var copy = Path.Combine(dir.Path, "resnet18_taps.onnx");
        OnnxModel.Save(proto, copy);

        using var scope = NewDisposeScope();
        // A photo-like input already preprocessed (what the ONNX graph takes): values in about ±128.
        var gen = new TorchSharp.torch.Generator(7, CPU);
        var input = (rand([1, 3, 224, 224], generator: gen) * 255 - 120).contiguous();
        var data = input.data<float>().ToArray();
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        using var session = new InferenceSession(copy, options);
        var feeds = new[] { NamedOnnxValue.CreateFromTensor(net.InputName, new DenseTensor<float>(data, [1, 3, 224, 224])) };
        using var results = session.Run(feeds);
        var reference = results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());

        Dictionary<string, TorchSharp.torch.Tensor> ours;
        using (no_grad()) ours = net.RunGraph(input, [.. taps, "avgpool"]);
        foreach (var tap in taps.Append("avgpool"))
        {
            var expected = reference[net.ValueNameOf(tap)];
            var actual = ours[tap].contiguous().data<float>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            double maxAbs = expected.Max(Math.Abs), maxDiff = 0;
            for (int i = 0; i < expected.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
            Assert.True(maxDiff <= 1e-4 * maxAbs, $"{tap}: max |diff| {maxDiff:G3} against max |value| {maxAbs:G3}");
            Assert.True(maxAbs > 0.1, $"{tap} is all zeros");
        }
    }

    [Fact]
    public void ANetworkBuiltInsideADisposeScopeOutlivesIt()
    {
        ResNetFeatures net;
        using (var scope = NewDisposeScope()) net = ResNetFeatures.BuiltIn();
        using (net)
        using (var scope = NewDisposeScope())
        {
            var f = net.Features(rand(1, 3, 32, 32), ["layer1.0"]);
            Assert.Equal(64, f["layer1.0"].shape[1]);
        }
    }

    [Fact]
    public void GradientsFlowToTheInputOnly()
    {
        using var scope = NewDisposeScope();
        var x = rand(1, 3, 64, 64).requires_grad_(true);
        var f = Net.Value.Features(x, ["layer1.0", "layer3.0"]);
        (f["layer1.0"].square().mean() + f["layer3.0"].mean()).backward();
        Assert.NotNull(x.grad);
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
    }
}
