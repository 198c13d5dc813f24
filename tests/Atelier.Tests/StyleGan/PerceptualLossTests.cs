using Atelier.Networks;
using Atelier.StyleGan;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.Tests.StyleGan;

public class PerceptualLossTests
{
    [Fact]
    public void SumsElementNormalisedFeatureMsesAndPassesGradients()
    {
        using var scope = NewDisposeScope();
        var vgg = Vgg.BuiltIn(upToLayer: "conv4_2");
        using var loss = new PerceptualLoss(vgg);
        Assert.Equal(new[] { "conv1_1", "conv1_2", "conv3_2", "conv4_2" }, loss.Layers);
        manual_seed(5);
        var a = (rand(1, 3, 32, 32) * 2 - 1).requires_grad_(true);
        var b = rand(1, 3, 32, 32) * 2 - 1;
        var d = loss.Distance(a, b);

        // By hand: features of the [0,1] images, MSE (mean over elements) per layer, summed.
        using (no_grad())
        {
            var fa = vgg.Features((a + 1) / 2, loss.Layers.ToList());
            var fb = vgg.Features((b + 1) / 2, loss.Layers.ToList());
            double expected = loss.Layers.Sum(l => (fa[l] - fb[l]).pow(2).mean().item<float>());
            Assert.Equal(expected, d.item<float>(), expected * 1e-4);
        }
        Assert.Equal(0f, loss.Distance(b, b).item<float>(), 6);
        d.backward();
        Assert.True(a.grad!.abs().sum().item<float>() > 0);
        // Small images are upsampled so conv4_2 still has extent.
        Assert.True(loss.Distance(rand(1, 1, 8, 8), zeros(1, 1, 8, 8)).item<float>() > 0);
    }
}
