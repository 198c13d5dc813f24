using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Style;
using Atelier.Tests.Cli;
using Atelier.Tests.Imaging;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Inference;

/// <summary>`style fast` on odd sizes, within a memory budget, and with a budget too small: end to end.</summary>
public class AnySizeCliTests
{
    [Fact]
    public void OddSizeComesBackWholeTiledOrNotAndATooSmallBudgetWritesNothing()
    {
        using var dir = TestPaths.NewTempDir();
        manual_seed(21);
        using (var net = new TransformerNet()) SafeTensors.Save(dir.File("model.safetensors"), net.state_dict());
        ImageIO.Save(InferenceTestNets.Picture(257, 131), dir.File("in.png"));

        var r = CliHarness.Run("style", "fast", dir.File("in.png"), "-m", dir.File("model.safetensors"), "-o", dir.File("whole.png"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var whole = ImageIO.Load(dir.File("whole.png"));
        Assert.Equal((257, 131), (whole.Width, whole.Height));

        // 16 MB: the image buffers (~1 MB) and tiles of about 148x132 px (800 bytes a pixel): the image is cut in two.
        r = CliHarness.Run("style", "fast", dir.File("in.png"), "-m", dir.File("model.safetensors"), "-o", dir.File("tiled.png"), "--max-memory", "16MB", "--overlap", "32", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var tiled = ImageIO.Load(dir.File("tiled.png"));
        Assert.Equal((257, 131), (tiled.Width, tiled.Height));

        r = CliHarness.Run("style", "fast", dir.File("in.png"), "-m", dir.File("model.safetensors"), "-o", dir.File("none.png"), "--max-memory", "1MB");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--max-memory", r.Err);
        Assert.False(File.Exists(dir.File("none.png")));

        r = CliHarness.Run("style", "fast", dir.File("in.png"), "-m", dir.File("model.safetensors"), "-o", dir.File("small.png"), "--max-side", "100", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var small = ImageIO.Load(dir.File("small.png"));
        Assert.Equal((100, 51), (small.Width, small.Height)); // 257x131 scaled to a longer side of 100, aspect kept
    }
}
