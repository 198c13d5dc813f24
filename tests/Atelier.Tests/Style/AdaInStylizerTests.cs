using Atelier.Networks;
using Atelier.Style;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

public class AdaInStylizerTests
{
    /// <summary>Atelier's ResNet-18 decoder (the default) with a VGG encoder file: one line naming the decoder and what it is for.</summary>
    [Fact]
    public void A_decoder_for_another_encoder_is_refused_with_a_VGG()
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("resnet-decoder.safetensors");
        using (var mirror = AdaInDecoder.Mirror(128, 3, "layer2.1", "resnet18"))
            Atelier.Checkpoints.SafeTensors.Save(path, mirror.state_dict(), mirror.Metadata());
        var e = Assert.Throws<AtelierException>(() => AdaInStylizer.Load(Vgg.Normalised("relu4_1"), [path]));
        Assert.Contains("resnet-decoder.safetensors: a decoder for the resnet18 encoder (layer2.1), not for a normalised VGG-19", e.Message);
    }

    [Fact]
    public void DecoderHasTheReferenceKeysAndUpsamplesEightTimes()
    {
        using var scope = NewDisposeScope();
        using var d = new AdaInDecoder();
        var keys = d.state_dict().Keys.Where(k => k.EndsWith(".weight")).Select(k => int.Parse(k.Split('.')[0])).ToArray();
        Assert.Equal(new[] { 1, 5, 8, 11, 14, 18, 21, 25, 28 }, keys);
        Assert.Equal(new long[] { 256, 512, 3, 3 }, d.state_dict()["1.weight"].shape);
        Assert.Equal(new long[] { 3, 64, 3, 3 }, d.state_dict()["28.weight"].shape);
        Assert.Equal("relu4_1", d.EncoderLayer);
        using (no_grad()) Assert.Equal(new long[] { 1, 3, 16, 24 }, d.forward(randn(1, 512, 2, 3)).shape);
    }

    [Fact]
    public void FromStateDictDetectsTailDecodersAndRejectsOtherFiles()
    {
        using var scope = NewDisposeScope();
        using var full = new AdaInDecoder();
        var sd = full.state_dict();
        // A relu2_1 decoder is the tail from index 17 (pad before conv 18, 128 channels, one upsampling).
        var tail = sd.Where(kv => int.Parse(kv.Key.Split('.')[0]) >= 18).ToDictionary(kv => kv.Key, kv => kv.Value);
        using var d2 = AdaInDecoder.FromStateDict(tail, "dec2.pth");
        Assert.Equal("relu2_1", d2.EncoderLayer);
        Assert.Equal(128, d2.InputChannels);
        var x = randn(1, 128, 4, 4);
        using (no_grad()) Assert.True(d2.forward(x).allclose(SequentialTail(full, 17, x)));

        var e = Assert.Throws<AtelierException>(() => AdaInDecoder.FromStateDict(new Dictionary<string, Tensor> { ["conv1.conv2d.weight"] = zeros(1) }, "candy.pth"));
        Assert.Contains("candy.pth: not an AdaIN decoder", e.Message);
        var gap = sd.Where(kv => !kv.Key.StartsWith("8.")).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Throws<AtelierException>(() => AdaInDecoder.FromStateDict(gap, "gap.pth"));
    }

    static Tensor SequentialTail(AdaInDecoder full, int start, Tensor x)
    {
        var h = x;
        foreach (var (name, m) in full.named_children())
            if (int.Parse(name) >= start) h = ((nn.Module<Tensor, Tensor>)m).forward(h);
        return h;
    }

    static (Vgg Encoder, AdaInDecoder Decoder) Networks()
    {
        manual_seed(11);
        return (Vgg.Normalised("relu4_1"), new AdaInDecoder());
    }

    [Fact]
    public void AlphaInterpolationPreserveColourAndMasksFollowTheirDefinitions()
    {
        using var scope = NewDisposeScope();
        var (enc, dec) = Networks();
        using var stylizer = new AdaInStylizer(enc, dec, ownsModules: true);
        manual_seed(12);
        var content = rand(1, 3, 24, 24);
        var s1 = rand(1, 3, 16, 16) * 0.5;
        var s2 = rand(1, 3, 32, 32) * 0.5 + 0.5;
        using var g = no_grad();
        var fc = enc.Features(content, ["relu4_1"])["relu4_1"];
        var f1 = enc.Features(s1, ["relu4_1"])["relu4_1"];
        var f2 = enc.Features(s2, ["relu4_1"])["relu4_1"];

        var alpha = stylizer.Stylize(content, [new StyleInput(s1)], new AdaInOptions { Alpha = 0.3 });
        Assert.Equal(new long[] { 1, 3, 24, 24 }, alpha.shape);
        Assert.True(alpha.allclose(dec.forward(AdaIn.Transfer(fc, f1) * 0.3 + fc * 0.7), atol: 1e-5));

        // Weights are normalised: 1 and 3 mean 0.25 and 0.75.
        var interp = stylizer.Stylize(content, [new StyleInput(s1, 1), new StyleInput(s2, 3)]);
        Assert.True(interp.allclose(dec.forward(AdaIn.Transfer(fc, f1) * 0.25 + AdaIn.Transfer(fc, f2) * 0.75), atol: 1e-5));

        var kept = stylizer.Stylize(content, [new StyleInput(s1)], new AdaInOptions { PreserveColor = true });
        var fr = enc.Features(ColorTransfer.Coral(s1, content), ["relu4_1"])["relu4_1"];
        Assert.True(kept.allclose(dec.forward(AdaIn.Transfer(fc, fr)), atol: 1e-5));

        // Left half style 1, right half style 2: features per region, composed, decoded once.
        var left = zeros(1, 1, 24, 24); left[.., .., .., ..12] = 1;
        var masked = stylizer.Stylize(content, [new StyleInput(s1, 1, left), new StyleInput(s2, 1, 1 - left)]);
        // At relu4_1 (3x3 for 24 px) nearest downsampling puts feature columns 0-1 on the left, column 2 on the right.
        var featLeft = zeros(1, 1, 3, 3); featLeft[.., .., .., ..2] = 1;
        var expected = AdaIn.TransferMasked(fc, f1, featLeft) + AdaIn.TransferMasked(fc, f2, 1 - featLeft);
        Assert.True(masked.allclose(dec.forward(expected), atol: 1e-5));
        // The left region is plain AdaIN of the left columns alone.
        Assert.True(expected[.., .., .., ..2].allclose(AdaIn.Transfer(fc[.., .., .., ..2].contiguous(), f1), atol: 1e-5));
    }

    [Fact]
    public void WctSingleLevelDecodesTheWctFeatures()
    {
        using var scope = NewDisposeScope();
        var (enc, dec) = Networks();
        using var stylizer = new AdaInStylizer(enc, dec, ownsModules: true);
        manual_seed(13);
        var content = rand(1, 3, 16, 16);
        var style = rand(1, 3, 16, 16);
        using var g = no_grad();
        var y = stylizer.Stylize(content, [new StyleInput(style)], new AdaInOptions { Transform = FeatureTransform.Wct, Alpha = 0.6 });
        var fc = enc.Features(content, ["relu4_1"])["relu4_1"];
        var fs = enc.Features(style, ["relu4_1"])["relu4_1"];
        Assert.True(y.allclose(dec.forward(Wct.Transfer(fc, fs, 0.6)), atol: 1e-4));
    }

    [Fact]
    public void MultiLevelWctRunsCoarseToFine()
    {
        using var scope = NewDisposeScope();
        manual_seed(14);
        var enc = Vgg.Normalised("relu4_1");
        var full = new AdaInDecoder();
        var sd = full.state_dict();
        var d1 = AdaInDecoder.FromStateDict(sd.Where(kv => int.Parse(kv.Key.Split('.')[0]) >= 25).ToDictionary(kv => kv.Key, kv => kv.Value), "d1");
        using var stylizer = new AdaInStylizer(enc, [d1, full], ownsModules: true);
        Assert.Equal(new[] { "relu4_1", "relu1_1" }, stylizer.Decoders.Select(d => d.EncoderLayer));
        var content = rand(1, 3, 16, 16);
        var style = rand(1, 3, 16, 16);
        using var g = no_grad();
        var y = stylizer.Stylize(content, [new StyleInput(style)], new AdaInOptions { Transform = FeatureTransform.Wct });
        var step1 = full.forward(Wct.Transfer(enc.Features(content, ["relu4_1"])["relu4_1"], enc.Features(style, ["relu4_1"])["relu4_1"]));
        var step2 = d1.forward(Wct.Transfer(enc.Features(step1, ["relu1_1"])["relu1_1"], enc.Features(style, ["relu1_1"])["relu1_1"]));
        Assert.True(y.allclose(step2, atol: 1e-4));
        Assert.Throws<AtelierException>(() => stylizer.Stylize(content, [new StyleInput(style)]));
    }

    [Fact]
    public void BadInputsGiveClearMessages()
    {
        using var scope = NewDisposeScope();
        manual_seed(15);
        using var enc = Vgg.Normalised("relu3_1");
        using var dec = new AdaInDecoder();
        var e = Assert.Throws<AtelierException>(() => new AdaInStylizer(enc, dec));
        Assert.Contains("the encoder stops at relu3_1", e.Message);
        using var narrow = Vgg.TorchVision(VggConfig.Vgg19.Narrow(8), upToLayer: "relu4_1");
        e = Assert.Throws<AtelierException>(() => new AdaInStylizer(narrow, dec));
        Assert.Contains("takes 512 channels", e.Message);

        using var enc4 = Vgg.Normalised("relu4_1");
        using var stylizer = new AdaInStylizer(enc4, dec);
        var content = rand(1, 3, 16, 16);
        var style = rand(1, 3, 16, 16);
        e = Assert.Throws<AtelierException>(() => stylizer.Stylize(content, [new StyleInput(style, 1, ones(1, 1, 8, 8)), new StyleInput(style, 1, ones(1, 1, 8, 8))]));
        Assert.Contains("mask is 8x8 but the content is 16x16", e.Message);
        e = Assert.Throws<AtelierException>(() => stylizer.Stylize(content, [new StyleInput(style, 0), new StyleInput(style, 0)]));
        Assert.Contains("sum to a positive number", e.Message);
        e = Assert.Throws<AtelierException>(() => stylizer.Stylize(content, [new StyleInput(style, -1), new StyleInput(style, 2)]));
        Assert.Contains("non-negative", e.Message);
        Assert.Throws<AtelierUsageException>(() => stylizer.Stylize(content, [new StyleInput(style)], new AdaInOptions { Alpha = 1.5 }));
    }
}
