using Atelier.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Networks;

public class VggTests
{
    static string[] Keys(Vgg vgg) => vgg.named_parameters().Select(p => p.name).ToArray();

    static string[] Expected(string prefix, params int[] convIndices) =>
        convIndices.SelectMany(i => new[] { $"{prefix}{i}.weight", $"{prefix}{i}.bias" }).ToArray();

    [Fact]
    public void TorchVisionVgg19_HasTorchvisionParameterNames()
    {
        using var vgg = Vgg.TorchVision(VggConfig.Vgg19.Narrow(16));
        Assert.Equal(Expected("features.", 0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34), Keys(vgg));
        Assert.Equal("pool5", vgg.LastLayer);
        Assert.Equal(37, vgg.LayerNames.Count); // 16 conv + 16 relu + 5 pool
    }

    [Fact]
    public void TorchVisionVgg16_HasTorchvisionParameterNames()
    {
        using var vgg = Vgg.TorchVision(VggConfig.Vgg16.Narrow(16));
        Assert.Equal(Expected("features.", 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28), Keys(vgg));
    }

    [Fact]
    public void NormalisedVgg_HasAdaInIndicesAndStopsWhereAsked()
    {
        using var vgg = Vgg.Normalised("relu4_1", config: VggConfig.Vgg19.Narrow(16));
        Assert.Equal(Expected("", 0, 2, 5, 9, 12, 16, 19, 22, 25, 29), Keys(vgg));
        Assert.Equal("relu4_1", vgg.LastLayer);
        using var full = Vgg.Normalised(config: VggConfig.Vgg19.Narrow(16));
        Assert.Equal("51.weight", Keys(full)[^2]);
        Assert.Equal("relu5_4", full.LastLayer);
        Assert.DoesNotContain("pool5", full.LayerNames);
    }

    [Fact]
    public void Features_ReturnsRequestedLayersWithExpectedShapes()
    {
        using var scope = NewDisposeScope();
        using var vgg = Vgg.BuiltIn(config: VggConfig.Vgg19.Narrow(16));
        var x = rand(2, 3, 64, 48);
        var f = vgg.Features(x, ["relu1_1", "relu3_1", "pool5", "conv2_2"]);
        Assert.Equal(4, f.Count);
        Assert.Equal(new long[] { 2, 4, 64, 48 }, f["relu1_1"].shape);
        Assert.Equal(new long[] { 2, 8, 32, 24 }, f["conv2_2"].shape);
        Assert.Equal(new long[] { 2, 16, 16, 12 }, f["relu3_1"].shape);
        Assert.Equal(new long[] { 2, 32, 2, 1 }, f["pool5"].shape);
        Assert.True(f["relu1_1"].min().item<float>() >= 0);
        // conv and its relu agree: relu(conv2_2) is what the next layer sees.
        var both = vgg.Features(x, ["conv2_2", "relu2_2"]);
        Assert.True(both["relu2_2"].allclose(both["conv2_2"].relu()));
        // forward runs everything.
        Assert.True(vgg.forward(x).allclose(f["pool5"]));
    }

    [Fact]
    public void NormalisedVgg_PadsByReflectionAndPoolsWithCeil()
    {
        using var scope = NewDisposeScope();
        using var vgg = Vgg.Normalised("relu2_1", config: VggConfig.Vgg19.Narrow(16));
        var f = vgg.Features(rand(1, 3, 15, 9), ["relu1_1", "pool1", "relu2_1"]);
        Assert.Equal(new long[] { 1, 4, 15, 9 }, f["relu1_1"].shape);
        Assert.Equal(new long[] { 1, 4, 8, 5 }, f["pool1"].shape); // ceil_mode
    }

    [Fact]
    public void AveragePooling_IsSelectable()
    {
        using var scope = NewDisposeScope();
        using var vgg = Vgg.BuiltIn(VggPooling.Average, "pool1", VggConfig.Vgg19.Narrow(16));
        var f = vgg.Features(rand(1, 3, 8, 8), ["relu1_2", "pool1"]);
        var expected = nn.functional.avg_pool2d(f["relu1_2"], 2, 2);
        Assert.True(f["pool1"].allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void UnknownOrMissingLayer_IsAClearError()
    {
        using var scope = NewDisposeScope();
        using var vgg = Vgg.Normalised("relu2_1", config: VggConfig.Vgg19.Narrow(16));
        var x = rand(1, 3, 8, 8);
        var e = Assert.Throws<AtelierException>(() => vgg.Features(x, ["relu9_9"]));
        Assert.Contains("unknown VGG layer 'relu9_9'", e.Message);
        Assert.Contains("relu1_1", e.Message);
        e = Assert.Throws<AtelierException>(() => vgg.Features(x, ["relu4_1"]));
        Assert.Contains("stops at relu2_1", e.Message);
    }

    [Fact]
    public void BuiltIn_IsDeterministicAndIndependentOfGlobalSeed()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        using var a = Vgg.BuiltIn(upToLayer: "relu2_1");
        torch.manual_seed(2);
        using var b = Vgg.BuiltIn(upToLayer: "relu2_1");
        foreach (var ((na, pa), (nb, pb)) in a.named_parameters().Zip(b.named_parameters()))
        {
            Assert.Equal(na, nb);
            Assert.True(pa.equal(pb).all().item<bool>(), na);
        }
        Assert.False(a.parameters().First().requires_grad);
    }

    [Fact]
    public void BuiltIn_KeepsActivationMagnitudeThroughDepth()
    {
        using var scope = NewDisposeScope();
        using var vgg = Vgg.BuiltIn(upToLayer: "conv5_1");
        // A smooth image unlike the calibration input: a gradient with a stripe pattern.
        var y = linspace(0, 1, 96).view(1, 1, 96, 1).expand(1, 3, 96, 96);
        var x = (y * 0.5 + (arange(96).view(1, 1, 1, 96) * 0.3).sin() * 0.25 + 0.25).contiguous();
        var f = vgg.Features(x, ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]);
        var stds = f.Values.Select(t => t.std().item<float>()).ToArray();
        foreach (var s in stds) Assert.InRange(s, 0.1, 10.0);
    }

    [Fact]
    public void FromStateDict_DetectsLayoutsAndCopiesWeights()
    {
        using var scope = NewDisposeScope();
        using var tv = Vgg.BuiltIn(config: VggConfig.Vgg19.Narrow(16));
        // A state dict of the normalised layout is refused for narrow configs only by shape; use full-size detection instead.
        var sd = tv.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        sd["classifier.0.weight"] = zeros(10, 10); // torchvision files carry the classifier: ignored
        var (layout, config, convs) = Vgg.DetectLayout(sd, "x.pth");
        Assert.Equal(VggLayout.TorchVision, layout);
        Assert.Same(VggConfig.Vgg19, config);
        Assert.Equal(16, convs.Count);

        var norm = new Dictionary<string, Tensor> { ["0.weight"] = zeros(3, 3, 1, 1), ["0.bias"] = zeros(3), ["2.weight"] = zeros(64, 3, 3, 3), ["2.bias"] = zeros(64) };
        using var n = Vgg.FromStateDict(norm);
        Assert.Equal(VggLayout.Normalised, n.Layout);
        Assert.Equal("relu1_1", n.LastLayer);

        var vgg16 = new Dictionary<string, Tensor>();
        int[] idx16 = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28];
        int cin = 3, k = 0;
        foreach (var (block, count) in new[] { (64, 2), (128, 2), (256, 3), (512, 3), (512, 3) })
            for (int i = 0; i < count; i++, k++)
            {
                vgg16[$"features.{idx16[k]}.weight"] = full(new long[] { block, cin, 3, 3 }, 0.01f);
                vgg16[$"features.{idx16[k]}.bias"] = full(new long[] { block }, (float)k);
                cin = block;
            }
        using var v16 = Vgg.FromStateDict(vgg16);
        Assert.Same(VggConfig.Vgg16, v16.Config);
        Assert.Equal("pool5", v16.LastLayer);
        Assert.Equal(7f, v16.named_parameters().Single(p => p.name == "features.17.bias").parameter[0].item<float>());
    }

    [Fact]
    public void FromStateDict_RefusesOtherLayoutsListingWhatItFound()
    {
        var sd = new Dictionary<string, Tensor> { ["encoder.conv.weight"] = zeros(4, 3, 3, 3), ["encoder.conv.bias"] = zeros(4) };
        var e = Assert.Throws<AtelierException>(() => Vgg.FromStateDict(sd, source: "model.pth"));
        Assert.Contains("model.pth: not a VGG of a known layout", e.Message);
        Assert.Contains("encoder.conv.weight [4x3x3x3]", e.Message);

        var bn = new Dictionary<string, Tensor> { ["features.0.weight"] = zeros(64, 3, 3, 3), ["features.1.running_mean"] = zeros(64) };
        e = Assert.Throws<AtelierException>(() => Vgg.FromStateDict(bn, source: "vgg19_bn.pth"));
        Assert.Contains("batch-normalised", e.Message);

        var wrong = new Dictionary<string, Tensor> { ["features.0.weight"] = zeros(32, 3, 3, 3), ["features.0.bias"] = zeros(32) };
        e = Assert.Throws<AtelierException>(() => Vgg.FromStateDict(wrong, source: "w.pth"));
        Assert.Contains("features.0.weight has shape [32x3x3x3], expected [64x3x3x3]", e.Message);
    }
}
