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
}
