using Atelier.Style;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

public class FastStyleNetworkTests
{
    static IEnumerable<string> ReferenceKeys()
    {
        IEnumerable<string> Conv(string n) => [$"{n}.conv2d.weight", $"{n}.conv2d.bias"];
        IEnumerable<string> Norm(string n) => [$"{n}.weight", $"{n}.bias"];
        var keys = new List<string>();
        keys.AddRange(Conv("conv1")); keys.AddRange(Norm("in1"));
        keys.AddRange(Conv("conv2")); keys.AddRange(Norm("in2"));
        keys.AddRange(Conv("conv3")); keys.AddRange(Norm("in3"));
        for (int r = 1; r <= 5; r++)
        {
            keys.AddRange(Conv($"res{r}.conv1")); keys.AddRange(Norm($"res{r}.in1"));
            keys.AddRange(Conv($"res{r}.conv2")); keys.AddRange(Norm($"res{r}.in2"));
        }
        keys.AddRange(Conv("deconv1")); keys.AddRange(Norm("in4"));
        keys.AddRange(Conv("deconv2")); keys.AddRange(Norm("in5"));
        keys.AddRange(Conv("deconv3"));
        return keys;
    }

    [Fact]
    public void StateDictHasTheReferenceKeysAndShapes()
    {
        using var net = new TransformerNet();
        var sd = net.state_dict();
        Assert.Equal(ReferenceKeys().Order(), sd.Keys.Order());
        Assert.Equal(new long[] { 32, 3, 9, 9 }, sd["conv1.conv2d.weight"].shape);
        Assert.Equal(new long[] { 128, 128, 3, 3 }, sd["res3.conv2.conv2d.weight"].shape);
        Assert.Equal(new long[] { 64, 128, 3, 3 }, sd["deconv1.conv2d.weight"].shape);
        Assert.Equal(new long[] { 3, 32, 9, 9 }, sd["deconv3.conv2d.weight"].shape);
        Assert.Equal(new long[] { 32 }, sd["in5.weight"].shape);
    }

    [Fact]
    public void OutputHasTheInputSizeAndIsClampedByStylize()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var net = new TransformerNet();
        var x = rand(2, 3, 32, 24) * 255;
        var raw = net.forward(x);
        Assert.Equal(new long[] { 2, 3, 32, 24 }, raw.shape);
        // Untrained nets with unit-affine IN give values around 0; scale the last conv so they exceed 0..255 both ways.
        using (no_grad()) { var w = net.state_dict()["deconv3.conv2d.weight"]; w.mul_(1e4); }
        var y = FastStyle.Stylize(net, x);
        var unclamped = net.forward(x);
        Assert.True(unclamped.max().item<float>() > 255 && unclamped.min().item<float>() < 0);
        Assert.Equal(255f, y.max().item<float>());
        Assert.Equal(0f, y.min().item<float>());
        Assert.True(y.allclose(unclamped.clamp(0, 255)));
    }

    [Fact]
    public void LoadWeightsDropsStaleRunningStatsAndRejectsOtherKeys()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var source = new TransformerNet();
        var sd = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        sd["in1.running_mean"] = zeros(32);
        sd["res2.in1.running_var"] = ones(128);
        using var target = new TransformerNet();
        target.LoadWeights(sd, "candy.pth");
        var x = rand(1, 3, 16, 16) * 255;
        using (no_grad()) Assert.True(target.forward(x).allclose(source.forward(x)));

        sd["extra.weight"] = zeros(1);
        var e = Assert.Throws<AtelierException>(() => target.LoadWeights(sd, "candy.pth"));
        Assert.Contains("candy.pth", e.Message);
        Assert.Contains("unexpected extra.weight", e.Message);
        sd.Remove("extra.weight");
        sd["in2.weight"] = zeros(63);
        e = Assert.Throws<AtelierException>(() => target.LoadWeights(sd, "candy.pth"));
        Assert.Contains("in2.weight", e.Message);
        sd.Remove("in2.weight");
        e = Assert.Throws<AtelierException>(() => target.LoadWeights(sd, "candy.pth"));
        Assert.Contains("missing in2.weight", e.Message);
    }

    [Fact]
    public void ResidualBlockAddsItsInput()
    {
        using var scope = NewDisposeScope();
        using var block = new FastStyleResidualBlock(4);
        // Zero the second InstanceNorm's affine: the residual branch is then exactly zero.
        using (no_grad()) { block.state_dict()["in2.weight"].zero_(); block.state_dict()["in2.bias"].zero_(); }
        var x = randn(1, 4, 8, 8);
        using (no_grad()) Assert.True(block.forward(x).allclose(x));
    }
}

/// <summary>A stop request ends a forward pass between layers: the ambient token of the tiled run is checked there.</summary>
public class FastStyleCancellationTests
{
    [Xunit.Fact]
    public void AForwardPassStopsBetweenLayersWhenTheAmbientTokenIsCancelled()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var net = new Atelier.Style.TransformerNet();
        net.eval();
        using var noGrad = TorchSharp.torch.no_grad();
        var x = TorchSharp.torch.rand(1, 3, 16, 16) * 255;
        using (var cts = new CancellationTokenSource())
        using (Atelier.Runtime.AmbientCancellation.Use(cts.Token))
        {
            Xunit.Assert.Equal(new long[] { 1, 3, 16, 16 }, net.forward(x).shape);
            cts.Cancel();
            Xunit.Assert.Throws<OperationCanceledException>(() => net.forward(x));
        }
        // Outside the scope the token is gone: the pass runs.
        Xunit.Assert.Equal(new long[] { 1, 3, 16, 16 }, net.forward(x).shape);
    }
}

/// <summary>A picture whose sides are not multiples of 4 comes back at its own size from the batch path too.</summary>
public class FastStyleBatchSizeTests
{
    [Xunit.Fact]
    public void TheBatchPathKeepsEachPicturesSize()
    {
        using var net = new Atelier.Style.TransformerNet();
        net.eval();
        var picture = Atelier.Imaging.ImageOps.Crop(Atelier.Imaging.ProceduralSamples.Make("bricks", 48), 0, 0, 30, 22);
        var result = Atelier.Style.FastStyle.Stylize(net, [picture])[0];
        Xunit.Assert.Equal((30, 22, 3), (result.Width, result.Height, result.Channels));
        // The same pixels as the single-picture (tiled) path, which pads and crops the same way.
        var single = Atelier.Inference.TiledInference.Run(picture, new Atelier.Style.FastStyleNetwork(net));
        Xunit.Assert.True(result.Data.Zip(single.Data, (a, b) => Math.Abs(a - b)).Max() < 1e-4f);
    }
}
