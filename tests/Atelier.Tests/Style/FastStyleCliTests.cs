using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Style;
using Atelier.Tests.Cli;
using TorchSharp;
using Atelier.Tests.Imaging;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

/// <summary>`style fast` and `style adain` end to end on tiny random networks (no ../shared needed).</summary>
public class FastStyleCliTests
{

    static string SaveModel(TempDir dir)
    {
        manual_seed(21);
        using var net = new TransformerNet();
        var path = dir.File("model.safetensors");
        SafeTensors.Save(path, net.state_dict());
        return path;
    }

    [Fact]
    public void FolderIsStyledInBatchesAndAnUnreadableImageIsReportedAtTheEnd()
    {
        using var dir = TestPaths.NewTempDir();
        var model = SaveModel(dir);
        var input = Directory.CreateDirectory(dir.File("in")).FullName;
        ImageIO.Save(TestImages.Noise(16, 12, 1), Path.Combine(input, "a.png"));
        ImageIO.Save(TestImages.Noise(16, 12, 2), Path.Combine(input, "b.png"));
        ImageIO.Save(TestImages.Noise(20, 16, 3), Path.Combine(input, "c.png"));
        File.WriteAllText(Path.Combine(input, "broken.png"), "not a png");
        var outDir = dir.File("out");
        var r = CliHarness.Run("style", "fast", input, "--model", model, "-o", outDir, "--batch-size", "2", "--quiet");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("broken.png", r.Err);
        Assert.Equal(new[] { "a.png", "b.png", "c.png" }, Directory.GetFiles(outDir).Select(Path.GetFileName).Order());
        var c = ImageIO.Load(Path.Combine(outDir, "c.png"));
        Assert.Equal((20, 16), (c.Width, c.Height));

        // Batched or alone, an image gets the same result (instance norm is per image).
        var single = dir.File("a_alone.png");
        r = CliHarness.Run("style", "fast", Path.Combine(input, "a.png"), "--model", model, "-o", single, "--quiet");
        Assert.Equal(0, r.ExitCode);
        var alone = ImageIO.Load(single);
        var batched = ImageIO.Load(Path.Combine(outDir, "a.png"));
        Assert.Equal(alone.Data, batched.Data);
    }

    [Fact]
    public void BadModelAndMissingInputFailCleanly()
    {
        using var dir = TestPaths.NewTempDir();
        ImageIO.Save(TestImages.Noise(8, 8, 1), dir.File("a.png"));
        SafeTensors.Save(dir.File("wrong.safetensors"), new Dictionary<string, Tensor> { ["1.weight"] = zeros(2, 2) });
        var r = CliHarness.Run("style", "fast", dir.File("a.png"), "--model", dir.File("wrong.safetensors"), "-o", dir.File("o.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("wrong.safetensors: does not fit a fast neural style TransformerNet", r.Err);
        Assert.False(File.Exists(dir.File("o.png")));
        r = CliHarness.Run("style", "fast", dir.File("nope.png"), "--model", dir.File("wrong.safetensors"), "-o", dir.File("o.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("nope.png: no such file", r.Err);
    }

    /// <summary>A normalised VGG through relu1_1 and a relu1_1 decoder (the tail from index 24): tiny, for WCT.</summary>
    static (string Vgg, string Decoder, string WrongDecoder) SaveTinyAdaInFiles(TempDir dir)
    {
        manual_seed(22);
        using var vgg = Vgg.Normalised("relu1_1");
        var vggPath = dir.File("vgg.safetensors");
        SafeTensors.Save(vggPath, vgg.state_dict());
        using var full = new AdaInDecoder();
        var sd = full.state_dict();
        var d1 = dir.File("dec1.safetensors");
        SafeTensors.Save(d1, sd.Where(kv => int.Parse(kv.Key.Split('.')[0]) >= 25).ToDictionary(kv => kv.Key, kv => kv.Value));
        var d2 = dir.File("dec2.safetensors");
        SafeTensors.Save(d2, sd.Where(kv => int.Parse(kv.Key.Split('.')[0]) >= 18).ToDictionary(kv => kv.Key, kv => kv.Value));
        return (vggPath, d1, d2);
    }

    [Fact]
    public void AdaInCommandRunsWctAndRejectsBadInput()
    {
        using var dir = TestPaths.NewTempDir();
        var (vgg, dec1, dec2) = SaveTinyAdaInFiles(dir);
        ImageIO.Save(TestImages.Noise(20, 14, 1), dir.File("c.png"));
        ImageIO.Save(TestImages.Noise(12, 12, 2), dir.File("s.png"));
        ImageIO.Save(TestImages.Noise(12, 12, 3), dir.File("s2.png"));
        var mask = new Image(20, 14, 1); for (int i = 0; i < 14 * 10; i++) mask.Data[i] = 1;
        ImageIO.Save(mask, dir.File("m.png"));
        ImageIO.Save(new Image(10, 7, 1), dir.File("m_small.png"));
        string[] Common(params string[] extra) => ["style", "adain", dir.File("c.png"), "--vgg", vgg, "--quiet", .. extra];

        var r = CliHarness.Run(Common("--style", dir.File("s.png"), "--decoder", dec1, "--transform", "wct", "--alpha", "0.7", "-o", dir.File("o.png")));
        Assert.True(r.ExitCode == 0, r.Err);
        var o = ImageIO.Load(dir.File("o.png"));
        Assert.Equal((20, 14), (o.Width, o.Height));

        r = CliHarness.Run(Common("--style", dir.File("s.png"), "--style", dir.File("s2.png"), "--mask", dir.File("m.png"), "--decoder", dec1, "--transform", "wct", "-o", dir.File("om.png")));
        Assert.True(r.ExitCode == 0, r.Err);

        r = CliHarness.Run(Common("--style", dir.File("s.png"), "--decoder", dec1, "-o", dir.File("x.png")));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("AdaIN needs the relu4_1 decoder", r.Err);

        r = CliHarness.Run(Common("--style", dir.File("s.png"), "--decoder", dec2, "--transform", "wct", "-o", dir.File("x.png")));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("the decoder inverts relu2_1 but the encoder stops at relu1_1", r.Err);

        r = CliHarness.Run(Common("--style", dir.File("s.png"), "--style", dir.File("s2.png"), "--mask", dir.File("m_small.png"), "--decoder", dec1, "--transform", "wct", "-o", dir.File("x.png")));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("m_small.png: the mask is 10x7 but the content is 20x14", r.Err);

        r = CliHarness.Run(Common("--style", dir.File("s.png") + ":0", "--style", dir.File("s2.png") + ":0", "--decoder", dec1, "-o", dir.File("x.png")));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("sum to a positive number", r.Err);
        Assert.False(File.Exists(dir.File("x.png")));
    }

    /// <summary>A decoder trained without --vgg (built-in normalised VGG) is usable by `style adain` without --vgg.</summary>
    [Fact]
    public void DecoderTrainedOnTheBuiltInEncoderStylisesWithoutAVggFile()
    {
        using var dir = TestPaths.NewTempDir();
        foreach (var (sub, seed) in new[] { ("content", 1), ("style", 5) })
        {
            var folder = Directory.CreateDirectory(dir.File(sub)).FullName;
            for (int i = 0; i < 2; i++) ImageIO.Save(TestImages.Noise(24, 24, seed + i), Path.Combine(folder, $"{i}.png"));
        }
        var decoder = dir.File("dec.safetensors");
        var r = CliHarness.Run("style", "adain-train", "--content-dir", dir.File("content"), "--style-dir", dir.File("style"),
            "-o", decoder, "--load-size", "24", "--crop-size", "16", "--batch-size", "1", "--steps", "2", "--sample-every", "2", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var output = dir.File("out.png");
        r = CliHarness.Run("style", "adain", Path.Combine(dir.File("content"), "0.png"), "--style", Path.Combine(dir.File("style"), "0.png"),
            "--decoder", decoder, "-o", output, "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var image = ImageIO.Load(output);
        Assert.Equal((24, 24), (image.Width, image.Height));
    }

    [Fact]
    public void BuiltInNormalisedVggIsSeededAndKeepsItsScaleThroughDepth()
    {
        using var scope = NewDisposeScope();
        using var a = Vgg.BuiltInNormalised("relu4_1");
        using var b = Vgg.BuiltInNormalised("relu4_1");
        var x = rand(1, 3, 64, 64);
        var fa = a.Features(x, ["relu1_1", "relu4_1"]);
        var fb = b.Features(x, ["relu1_1", "relu4_1"]);
        Assert.True(fa["relu4_1"].eq(fb["relu4_1"]).all().item<bool>());
        // Calibrated to unit variance per convolution: deep features neither vanish nor explode.
        double deep = fa["relu4_1"].std().item<float>(), shallow = fa["relu1_1"].std().item<float>();
        Assert.InRange(deep / shallow, 0.1, 10);
    }
}
