using Atelier.StyleGan;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.StyleGan;

public class DiscriminatorTests
{
    [Fact]
    public void HasReferenceKeysAndOneLogitPerImage()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var d = new Discriminator(new GeneratorConfig(16, 8, 1, ChannelMultiplier: 1, MaxChannels: 8));
        var sd = d.state_dict();
        string[] expected =
        {
            "convs.0.0.weight", "convs.0.1.bias",
            "convs.1.conv1.0.weight", "convs.1.conv1.1.bias", "convs.1.conv2.0.kernel", "convs.1.conv2.1.weight",
            "convs.1.conv2.2.bias", "convs.1.skip.0.kernel", "convs.1.skip.1.weight",
            "convs.2.conv1.0.weight", "final_conv.0.weight", "final_conv.1.bias",
            "final_linear.0.weight", "final_linear.0.bias", "final_linear.1.weight", "final_linear.1.bias",
        };
        foreach (var k in expected) Assert.True(sd.ContainsKey(k), $"missing {k}; have {string.Join(", ", sd.Keys)}");
        Assert.False(sd.ContainsKey("convs.1.skip.1.bias"));
        Assert.Equal(new long[] { 8, 9, 3, 3 }, sd["final_conv.0.weight"].shape); // +1 for the stddev map
        Assert.Equal(new long[] { 8, 8 * 16 }, sd["final_linear.0.weight"].shape);

        var logits = d.call(randn(4, 3, 16, 16));
        Assert.Equal(new long[] { 4, 1 }, logits.shape);
        // The minibatch-stddev feature makes each logit depend on the other images in its group.
        var x = randn(4, 3, 16, 16);
        var a = d.call(x);
        var x2 = x.clone();
        x2[3] = randn(3, 16, 16);
        var b = d.call(x2);
        Assert.NotEqual(a[0, 0].item<float>(), b[0, 0].item<float>());
    }
}
