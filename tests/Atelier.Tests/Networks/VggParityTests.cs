using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Networks;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Networks;

/// <summary>The normalised VGG against the AdaIN reference (needs ../shared/parity).</summary>
public class VggParityTests
{
    [SkippableFact]
    public void NormalisedVgg_MatchesAdaInReferenceRelu4_1()
    {
        var weights = TestPaths.Parity("adain_vgg_normalised_relu4_1.pth");
        Skip.If(weights is null || !File.Exists(weights), TestPaths.SharedMissing);
        using var scope = NewDisposeScope();
        using var vgg = Vgg.Load(weights!);
        Assert.Equal(VggLayout.Normalised, vgg.Layout);
        Assert.Equal("relu4_1", vgg.LastLayer);
        var content = ImageTensors.ToTensor(ImageIO.Load(TestPaths.Parity(Path.Combine("inputs", "content.png"))!));
        var expected = Checkpoint.LoadStateDict(TestPaths.Parity("adain_expected.pth")!)["content_relu4_1"];
        var f = vgg.Features(content, ["relu1_1", "relu2_1", "relu3_1", "relu4_1"]);
        Assert.Equal(new long[] { 1, 64, 256, 256 }, f["relu1_1"].shape);
        Assert.Equal(expected.shape, f["relu4_1"].shape);
        double rel = ((f["relu4_1"] - expected).norm() / expected.norm()).item<float>();
        Assert.True(rel < 1e-4, $"relative error {rel}");
    }

    [SkippableFact]
    public void Load_RefusesAFileOfAnotherLayout()
    {
        var other = TestPaths.Parity("adain_decoder.pth");
        Skip.If(other is null || !File.Exists(other), TestPaths.SharedMissing);
        var e = Assert.Throws<AtelierException>(() => Vgg.Load(other!));
        Assert.Contains("not a VGG of a known layout", e.Message);
        Assert.Contains("adain_decoder.pth", e.Message);
    }
}
