using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Style;
using Xunit;

namespace Atelier.Tests.Cli;

/// <summary>Inputs a careless user gives: each is one line naming the option or file, exit 2 or 1, nothing overwritten.</summary>
public class CarelessInputCliTests
{
    static string Save(TempDir dir, string name, Image image)
    {
        var path = dir.File(name);
        ImageIO.Save(image, path);
        return path;
    }

    [Fact]
    public void AnOutputThatIsTheInputIsRefusedAndTheInputKept()
    {
        using var dir = TestPaths.NewTempDir();
        var sample = Save(dir, "in.png", ProceduralSamples.Make("bricks", 32));
        var before = File.ReadAllBytes(sample);
        var r = CliHarness.Run("texture", "quilting", sample, "--size", "48", "-o", sample);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is an input too", r.Err);
        Assert.Equal(before, File.ReadAllBytes(sample));
    }

    [Fact]
    public void AStyleWeightThatIsNotANumberIsNamed()
    {
        using var dir = TestPaths.NewTempDir();
        var style = Save(dir, "s.png", ProceduralSamples.Make("weave", 32));
        var r = CliHarness.Run("gatys", "transfer", style, "--style", style + ":abc", "-o", dir.File("o.png"), "--steps", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("the weight after ':' must be a number, got 'abc'", r.Err);
    }

    [Fact]
    public void FastStyleRefusesTinyPicturesUnknownFormatsAndHugeSizesInOneLine()
    {
        using var dir = TestPaths.NewTempDir();
        var model = dir.File("m.safetensors");
        using (var net = new TransformerNet())
            SafeTensors.Save(model, net.state_dict(), new Dictionary<string, string> { ["architecture"] = "fast_neural_style.TransformerNet" });
        var tiny = Save(dir, "tiny.png", new Image(1, 1, 3));
        var photo = Save(dir, "photo.png", ProceduralSamples.Make("pebbles", 24));

        var r = CliHarness.Run("fast-style", "stylize", tiny, "-m", model, "-o", dir.File("o.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("1x1", r.Err);
        Assert.Contains("needs at least 16x16", r.Err);
        Assert.DoesNotContain("Exception", r.Err);

        r = CliHarness.Run("fast-style", "stylize", photo, "-m", model, "-o", dir.File("out/z.tiff"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(".tiff", r.Err);
        Assert.False(Directory.Exists(dir.File("out/z.tiff")), "a folder was made of the file name");

        r = CliHarness.Run("fast-style", "stylize", photo, "-m", model, "--size", "100000", "-o", dir.File("o.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--size 100000", r.Err);
        Assert.DoesNotContain("Overflow", r.Err);
    }

    [Fact]
    public void Pix2PixRefusesANegativeLearningRateAndABetaOutsideItsRange()
    {
        using var dir = TestPaths.NewTempDir();
        var data = Directory.CreateDirectory(dir.File("pairs")).FullName;
        // Side-by-side AB pairs, 32x16.
        for (int i = 0; i < 2; i++) ImageIO.Save(ProceduralSamples.Bricks(32, 16, i), Path.Combine(data, $"{i}.png"));
        var r = CliHarness.Run("pix2pix", "train", "--data", data, "-o", dir.File("run"), "--lr", "-1", "--steps", "1", "--crop-size", "16", "--load-size", "16", "--arch", "unet_16");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--lr -1", r.Err);
        r = CliHarness.Run("pix2pix", "train", "--data", data, "-o", dir.File("run"), "--beta1", "5", "--steps", "1", "--crop-size", "16", "--load-size", "16", "--arch", "unet_16");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--beta1 5", r.Err);
        // Sizes and widths that once overflowed or reached libtorch's own messages.
        r = CliHarness.Run("pix2pix", "train", "--data", data, "-o", dir.File("run"), "--load-size", "100000", "--steps", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--load-size 100000", r.Err);
        r = CliHarness.Run("pix2pix", "train", "--data", data, "-o", dir.File("run"), "--ngf", "100000", "--steps", "1", "--crop-size", "16", "--load-size", "16", "--arch", "unet_16");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--ngf 100000", r.Err);
        Assert.False(Directory.Exists(dir.File("run")) && File.Exists(Path.Combine(dir.File("run"), "checkpoint.safetensors")));
    }

    [Fact]
    public void TheStudioRefusesAnUploadLimitBeyondWhatItCanHold()
    {
        var r = CliHarness.Run("studio", "--max-upload", "4611686018427387904");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--max-upload 4611686018427387904", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
    }

    /// <summary>Gatys sizes beyond what the memory budget can hold, even in tiles, are refused before any work (8192 px once passed 5 GB).</summary>
    [Fact]
    public void GatysRefusesSizesItsOptimiserCannotHold()
    {
        using var dir = TestPaths.NewTempDir();
        var picture = Save(dir, "p.png", ProceduralSamples.Make("weave", 32));
        // Large outputs are refined in tiles; what the budget cannot hold even so is refused before any work, naming the budget.
        var r = CliHarness.Run("gatys", "transfer", picture, "--style", picture, "--size", "8192", "-o", dir.File("o.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--max-memory 2 GB: too small", r.Err);
        r = CliHarness.Run("gatys", "texture", picture, "--size", "8192x8192", "--max-memory", "1GB", "-o", dir.File("o.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--max-memory 1 GB: too small for Gatys optimisation of 8192x8192", r.Err);
        Assert.False(File.Exists(dir.File("o.png")));
    }
}
