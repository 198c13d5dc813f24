using Atelier.Imaging;
using Atelier.Tests.Cli;
using Xunit;

namespace Atelier.Tests.Style;

/// <summary>The CLI on the parity inputs at their own size reproduces the references' PNGs to 8-bit rounding.</summary>
public class AdaInCliParityTests
{
    static void SameToRounding(string actualPath, string expectedPath)
    {
        var a = ImageIO.Load(actualPath);
        var e = ImageIO.Load(expectedPath);
        Assert.Equal((e.Width, e.Height), (a.Width, a.Height));
        float worst = 0;
        for (int i = 0; i < a.Data.Length; i++) worst = Math.Max(worst, Math.Abs(a.Data[i] - e.Data[i]));
        Assert.True(worst <= 1.01f / 255, $"{actualPath}: max difference {worst * 255:0.##} levels");
    }

    [SkippableFact]
    public void FastAndAdaInCommandsReproduceTheParityPngs()
    {
        var p = TestPaths.Parity("");
        Skip.If(p is null, TestPaths.SharedMissing);
        using var dir = TestPaths.NewTempDir();
        var content = Path.Combine(p!, "inputs", "content.png");
        var r = CliHarness.Run("style", "fast", content, "--model", Path.Combine(p!, "fast_style_transformer.pth"), "-o", dir.File("fast.png"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        SameToRounding(dir.File("fast.png"), Path.Combine(p!, "fast_style.png"));
        r = CliHarness.Run("style", "adain", content, "--style", Path.Combine(p!, "inputs", "style.png"),
            "--vgg", Path.Combine(p!, "adain_vgg_normalised_relu4_1.pth"), "--decoder", Path.Combine(p!, "adain_decoder.pth"), "-o", dir.File("adain.png"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        SameToRounding(dir.File("adain.png"), Path.Combine(p!, "adain_alpha1.png"));
    }
}
