using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Networks;
using Atelier.Style;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Inference;

public class AdaInNetworkTests
{
    [Theory]
    [InlineData(FeatureTransform.AdaIn)]
    [InlineData(FeatureTransform.Wct)]
    public void OneWholePassEqualsTheStylizerAndOddSizesComeBack(FeatureTransform transform)
    {
        manual_seed(11);
        using var encoder = Vgg.Normalised("relu4_1");
        using var decoder = new AdaInDecoder();
        using var stylizer = new AdaInStylizer(encoder, decoder);
        var content = InferenceTestNets.Picture(44, 36, seed: 2);
        var style = InferenceTestNets.Picture(40, 40, seed: 9);
        using var c = ImageTensors.ToTensor(content);
        using var s = ImageTensors.ToTensor(style);
        var options = new AdaInOptions { Transform = transform, Alpha = 0.8 };
        using var expected = stylizer.Stylize(c, [new StyleInput(s)], options);
        var levels = AdaInNetwork.Levels(stylizer, [new StyleInput(s)], options);
        using var net = Assert.Single(levels);
        using var got = net.Forward(c);
        Assert.Equal(expected.shape, got.shape);
        double diff = (expected - got).abs().max().item<float>();
        Assert.True(diff < 1e-3, $"{transform}: max difference {diff}");

        var odd = TiledInference.Run(InferenceTestNets.Picture(45, 37), net);
        Assert.Equal((45, 37), (odd.Width, odd.Height));
    }

    /// <summary>
    /// Atelier's mirror decoders decode a picture with a reflected margin and cut it off (the frame they draw at the
    /// edges falls there): the stylizer and the tiling network agree, and both equal decoding the padded picture by
    /// hand; the reference layout has no margin.
    /// </summary>
    [Fact]
    public void MirrorDecodersDecodeWithAReflectedMarginThatIsCutOff()
    {
        manual_seed(12);
        using var encoder = ResNetFeatures.BuiltIn();
        using var decoder = AdaInDecoder.Mirror(128, 3, "layer2.1", "resnet18");
        using var stylizer = new AdaInStylizer(encoder, decoder);
        using var c = ImageTensors.ToTensor(InferenceTestNets.Picture(52, 44, seed: 3));
        using var s = ImageTensors.ToTensor(InferenceTestNets.Picture(48, 48, seed: 4));
        Assert.Equal(AdaInDecoder.MirrorEdgeMargin, decoder.EdgeMargin(44, 52));
        Assert.Equal(9, decoder.EdgeMargin(10, 52)); // reflection needs fewer pixels than the side
        Assert.Equal(0, new AdaInDecoder().EdgeMargin(44, 52));

        using var got = stylizer.Stylize(c, [new StyleInput(s)]);
        Assert.Equal(new long[] { 1, 3, 44, 52 }, got.shape);
        // By hand: AdaIN of the padded picture's features, decoded, the margin cut off.
        using var scope = NewDisposeScope();
        using var g = no_grad();
        int m = AdaInDecoder.MirrorEdgeMargin;
        var fc = encoder.Features(AdaInDecoder.Reflect(c, m), ["layer2.1"])["layer2.1"];
        var fs = encoder.Features(s, ["layer2.1"])["layer2.1"];
        var byHand = decoder.forward(AdaIn.Transfer(fc, fs))[.., .., m..(m + 44), m..(m + 52)];
        Assert.True((got - byHand).abs().max().item<float>() < 1e-5);
        var plain = decoder.forward(AdaIn.Transfer(encoder.Features(c, ["layer2.1"])["layer2.1"], fs))[.., .., ..44, ..52];
        Assert.True((got - plain).abs().mean().item<float>() > 1e-4, "the margin changes the result");

        var levels = AdaInNetwork.Levels(stylizer, [new StyleInput(s)], new AdaInOptions());
        using var net = Assert.Single(levels);
        using var whole = net.Forward(c);
        Assert.True((got - whole).abs().max().item<float>() < 1e-3);
    }
}
