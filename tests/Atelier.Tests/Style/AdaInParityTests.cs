using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Style;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

/// <summary>AdaIN against naoto0804/pytorch-AdaIN's own outputs on ../shared/parity (skipped without it).</summary>
public class AdaInParityTests
{
    static Tensor Input(string name) => ImageTensors.ToTensor(ImageIO.Load(TestPaths.Parity(Path.Combine("inputs", name + ".png"))!));

    static void Close(Tensor actual, Tensor expected, double atol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double maxAbs = (actual - expected).abs().max().item<float>();
        Assert.True(maxAbs <= atol, $"{what}: max |diff| {maxAbs} > {atol}");
    }

    [SkippableFact]
    public void EncoderDecoderAndControlsReproduceTheReference()
    {
        Skip.If(TestPaths.Shared is null, TestPaths.SharedMissing);
        using var scope = NewDisposeScope();
        using var stylizer = AdaInStylizer.Load(TestPaths.Parity("adain_vgg_normalised_relu4_1.pth")!, [TestPaths.Parity("adain_decoder.pth")!]);
        var expected = Checkpoint.LoadStateDict(TestPaths.Parity("adain_expected.pth")!);
        var content = Input("content");
        var style = Input("style");
        var style2 = Input("style2");
        using var g = no_grad();

        var fc = stylizer.Encoder.Features(content, ["relu4_1"])["relu4_1"];
        var refFc = expected["content_relu4_1"];
        Close(fc, refFc, 1e-4 * refFc.abs().max().item<float>(), "content relu4_1");

        Close(stylizer.Stylize(content, [new StyleInput(style)]), expected["stylized_alpha1"], 1e-3, "alpha 1");
        Close(stylizer.Stylize(content, [new StyleInput(style)], new AdaInOptions { Alpha = 0.5 }), expected["stylized_alpha0.5"], 1e-3, "alpha 0.5");
        Close(stylizer.Stylize(content, [new StyleInput(style, 0.3), new StyleInput(style2, 0.7)]), expected["interp_0.3_0.7"], 1e-3, "interpolation 0.3/0.7");
        Close(ColorTransfer.Coral(style, content), expected["style_coral_to_content"], 1e-4, "coral");
        Close(stylizer.Stylize(content, [new StyleInput(style)], new AdaInOptions { PreserveColor = true }), expected["stylized_preserve_color"], 1e-3, "preserve colour");
    }
}
