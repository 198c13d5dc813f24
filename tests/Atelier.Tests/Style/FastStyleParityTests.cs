using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Style;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

/// <summary>The fast-style network against pytorch/examples' own output on ../shared/parity (skipped without it).</summary>
public class FastStyleParityTests
{
    [SkippableFact]
    public void TransformerNetReproducesTheReference()
    {
        var model = TestPaths.Parity("fast_style_transformer.pth");
        Skip.If(model is null, TestPaths.SharedMissing);
        using var scope = NewDisposeScope();
        using var net = FastStyle.LoadModel(model!); // the file carries in*.running_mean/var: dropped on load
        var expected = Checkpoint.LoadStateDict(TestPaths.Parity("fast_style_expected.pth")!);
        var input = expected["input_0_255"];
        // The reference input is the parity content image on the 0..255 scale.
        var png = ImageTensors.ToTensor(ImageIO.Load(TestPaths.Parity(Path.Combine("inputs", "content.png"))!)) * 255;
        Assert.True(png.allclose(input, rtol: 0, atol: 1e-3));
        Tensor output;
        using (no_grad()) output = net.forward(input);
        var reference = expected["output_0_255"];
        double maxAbs = (output - reference).abs().max().item<float>();
        double scale = reference.abs().max().item<float>();
        Assert.True(maxAbs <= 1e-4 * scale, $"max |diff| {maxAbs} vs reference scale {scale}");
    }
}
