using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Style;
using Atelier.Tests.Cli;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

/// <summary>`style texture` and `style gatys` end to end at tiny sizes, with the built-in VGG and with a VGG file.</summary>
public class GatysCliTests
{
    static string Picture(TempDir dir, string name, int size, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(size, size, 3);
        for (int c = 0; c < 3; c++)
        {
            double f = 0.2 + rng.NextDouble() * 0.3, ph = rng.NextDouble() * 6;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    img.Data[(c * size + y) * size + x] = (float)(0.5 + 0.4 * Math.Sin(f * (x + (c + 1) * y) + ph));
        }
        var path = dir.File(name);
        ImageIO.Save(img, path);
        return path;
    }

    [Fact]
    public void TextureWithTheBuiltInVggWritesTheRequestedSizeAndLowersTheLoss()
    {
        using var dir = TestPaths.NewTempDir();
        var sample = Picture(dir, "sample.png", 32, 1);
        var output = dir.File("out.png");
        var r = CliHarness.Run("style", "texture", sample, "-o", output, "--size", "40x24", "--iterations", "6", "--seed", "3", "--json",
            "--features", "vgg19-random");
        Assert.True(r.ExitCode == 0, r.Err);
        var image = ImageIO.Load(output);
        Assert.Equal((40, 24), (image.Width, image.Height));
        using var json = System.Text.Json.JsonDocument.Parse(r.Out.Trim().Split('\n')[^1]);
        Assert.True(json.RootElement.GetProperty("losses").GetProperty("style").GetDouble() > 0);
        Assert.Equal("vgg19-random", json.RootElement.GetProperty("features").GetString());
    }

    [Fact]
    public void WithNoFeatureOptionTextureAndTransferUseTheBuiltInResNet18AndSayItInJson()
    {
        using var dir = TestPaths.NewTempDir();
        var sample = Picture(dir, "sample.png", 48, 1);
        var r = CliHarness.Run("style", "texture", sample, "-o", dir.File("t.png"), "--size", "40x32", "--iterations", "5", "--seed", "3", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using (var json = System.Text.Json.JsonDocument.Parse(r.Out.Trim().Split('\n')[^1]))
        {
            Assert.Equal("resnet18", json.RootElement.GetProperty("features").GetString());
            Assert.True(json.RootElement.GetProperty("losses").GetProperty("style").GetDouble() > 0);
        }
        Assert.Equal((40, 32), (ImageIO.Load(dir.File("t.png")).Width, ImageIO.Load(dir.File("t.png")).Height));

        r = CliHarness.Run("style", "gatys", Picture(dir, "c.png", 40, 2), "--style", sample, "-o", dir.File("g.png"), "--size", "40",
            "--iterations", "3", "--seed", "1", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using (var json = System.Text.Json.JsonDocument.Parse(r.Out.Trim().Split('\n')[^1]))
            Assert.Equal("resnet18", json.RootElement.GetProperty("features").GetString());
    }

    [Fact]
    public void FeatureOptionsAreCheckedBeforeAnyWork()
    {
        using var dir = TestPaths.NewTempDir();
        var sample = Picture(dir, "sample.png", 32, 1);
        var r = CliHarness.Run("style", "texture", sample, "-o", dir.File("o.png"), "--size", "32x32", "--features", "resnet18", "--vgg", sample);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--vgg and --features", r.Err);

        r = CliHarness.Run("style", "texture", sample, "-o", dir.File("o.png"), "--size", "32x32", "--features", "vgg42");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("vgg42: no such file, not a built-in network (resnet18, vgg19-random) and not in the model catalogue", r.Err);

        // A corrupt ONNX file: one line naming it, exit 1, nothing written.
        var corrupt = dir.File("corrupt.onnx");
        File.WriteAllBytes(corrupt, [.. File.ReadAllBytes(Atelier.Networks.ResNetFeatures.BuiltInPath).Take(5000)]);
        r = CliHarness.Run("style", "texture", sample, "-o", dir.File("o.png"), "--size", "32x32", "--features", corrupt);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{corrupt}: not a valid ONNX model", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.False(File.Exists(dir.File("o.png")));

        // ResNet tap names are checked against the ResNet, VGG names against a VGG.
        r = CliHarness.Run("style", "texture", sample, "-o", dir.File("o.png"), "--size", "32x32", "--layers", "relu1_1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown layer 'relu1_1' for resnet18", r.Err);

        // A sample smaller than the network accepts is refused before any work, without a native message.
        var tiny = dir.File("tiny.png");
        ImageIO.Save(new Image(4, 4, 3), tiny);
        r = CliHarness.Run("style", "texture", tiny, "-o", dir.File("o.png"), "--size", "32x32");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("the texture sample is 4x4; resnet18 needs at least 16x16", r.Err);
        Assert.False(File.Exists(dir.File("o.png")));
    }

    [SkippableFact]
    public void GatysWithAVggFileThatStopsAtRelu41UsesTheLayersItHas()
    {
        var vgg = TestPaths.Parity("adain_vgg_normalised_relu4_1.pth");
        Skip.If(vgg is null || !File.Exists(vgg), "../shared/parity is absent: the normalised-VGG file comes from there");
        using var dir = TestPaths.NewTempDir();
        var output = dir.File("out.png");
        var r = CliHarness.Run("style", "gatys", Picture(dir, "c.png", 32, 1), "--style", Picture(dir, "s.png", 32, 2),
            "-o", output, "--size", "32", "--iterations", "2", "--vgg", vgg!, "--seed", "1");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("style layers relu1_1, relu2_1, relu3_1, relu4_1", r.Err);
        Assert.Contains("content layer relu4_1", r.Err);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void AVggFileOfAnotherNetworkAndAnUnknownLayerAreRefusedByName()
    {
        using var dir = TestPaths.NewTempDir();
        manual_seed(2);
        using (var net = new TransformerNet()) SafeTensors.Save(dir.File("not_vgg.safetensors"), net.state_dict());
        var content = Picture(dir, "c.png", 24, 1);
        var r = CliHarness.Run("style", "gatys", content, "--style", content, "-o", dir.File("o.png"), "--size", "24",
            "--iterations", "1", "--vgg", dir.File("not_vgg.safetensors"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not_vgg.safetensors", r.Err);
        Assert.DoesNotContain("   at ", r.Err);

        r = CliHarness.Run("style", "texture", content, "-o", dir.File("o.png"), "--size", "24x24", "--layers", "relu9_9");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--layers", r.Err);
        Assert.False(File.Exists(dir.File("o.png")));
    }

    [Fact]
    public void TransferBlendsWeightedStylesWritesFramesAndTakesEverySpellingOfItsOptions()
    {
        using var dir = TestPaths.NewTempDir();
        var content = Picture(dir, "c.png", 32, 1);
        var a = Picture(dir, "a.png", 32, 2);
        var b = Picture(dir, "b.png", 32, 3);
        var output = dir.File("o.png");
        var r = CliHarness.Run("gatys", "transfer", content, "-s", a + ":0.7", "--style", b + ":0.3", "-o", output, "--size", "32", "-n", "3",
            "--optimizer", "adam", "--features", "vgg19-random", "--save-every", "1", "--seed", "1", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using (var json = System.Text.Json.JsonDocument.Parse(r.Out.Trim().Split('\n')[^1]))
        {
            Assert.Equal(3, json.RootElement.GetProperty("steps").GetInt32());
            Assert.Equal([0.7, 0.3], json.RootElement.GetProperty("style").EnumerateArray().Select(s => s.GetProperty("weight").GetDouble()));
        }
        // A frame after each step but the last (the output is that one).
        Assert.Equal(["o.0001.png", "o.0002.png"], Directory.GetFiles(dir.Path, "o.*.png").Select(Path.GetFileName).Order());

        // --steps, --iterations and -n are one option; an error names the long flag as it was typed (-n by its name).
        foreach (var (steps, named) in new[] { ("--steps", "--steps"), ("--iterations", "--iterations"), ("-n", "--iterations") })
        {
            r = CliHarness.Run("gatys", "texture", a, "-o", dir.File("t.png"), "--size", "24", steps, "0");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"{named} 0: must be between 1 and", r.Err);
        }
        r = CliHarness.Run("gatys", "texture", a, "-o", dir.File("t.png"), "--size", "24", "--learning-rate", "-1");
        Assert.Contains("--learning-rate -1: must be between", r.Err);
        r = CliHarness.Run("gatys", "texture", a, "-o", dir.File("t.png"), "--size", "24", "--lr", "-1");
        Assert.Contains("--lr -1: must be between", r.Err);
        Assert.False(File.Exists(dir.File("t.png")));
    }
}
