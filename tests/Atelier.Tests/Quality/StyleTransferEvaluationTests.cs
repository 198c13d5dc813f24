using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Quality;
using Atelier.Style;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Quality;

/// <summary>The held-out figures: distances are 0 for a picture against itself and grow with the change; Gatys moves the style closer.</summary>
public class StyleTransferEvaluationTests
{
    [Fact]
    public void DistancesAreZeroForThePictureItselfAndGatysComesCloserToTheStyle()
    {
        using var resnet = ResNetFeatures.BuiltIn();
        var photo = ProceduralSamples.Make("pebbles", 48, 1);
        var style = ProceduralSamples.Make("bricks", 48, 2);
        Assert.Equal(0, ContentDistance.Between(resnet, photo, photo), 6);
        Assert.Equal(0, StyleDistance.Between(resnet, style, style), 6);
        Assert.True(ContentDistance.Between(resnet, style, photo) > 0.1);
        Assert.Throws<ArgumentException>(() => ContentDistance.Between(resnet, photo, ProceduralSamples.Make("pebbles", 32, 1)));

        manual_seed(2);
        using var net = new TransformerNet();
        net.eval();
        var scores = StyleTransferEvaluation.Run((c, _) => FastStyle.Stylize(net, [c], resnet.Device)[0], [("bricks", style)], [("pebbles", photo)], resnet, size: 32, gatysSteps: 15);
        var s = Assert.Single(scores);
        Assert.Equal(("pebbles", "bricks"), (s.Name, s.Style));
        Assert.Equal((32, 32), (s.Content.Width, s.Content.Height));
        Assert.Equal((32, 32), (s.Network.Width, s.Network.Height));
        Assert.True(double.IsFinite(s.NetworkStyle) && double.IsFinite(s.NetworkContent));
        // Gatys optimises the style distance's own Grams: it ends nearer the style than the photo itself is.
        Assert.True(s.GatysStyle < StyleDistance.Between(resnet, s.Content, style), $"Gatys {s.GatysStyle} against the photo's {StyleDistance.Between(resnet, s.Content, style)}");
    }
}
