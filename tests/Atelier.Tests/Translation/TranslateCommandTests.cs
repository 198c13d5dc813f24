using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Tests.Cli;
using Atelier.Translation;
using TorchSharp;
using Atelier.Tests.Imaging;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Translation;

public class TranslateCommandTests
{
    /// <summary>Saves a freshly initialised generator under the reference's key names (any format the reader takes).</summary>
    static GeneratorSpec SaveGenerator(string path, string arch, NormKind norm = NormKind.Batch, bool dropout = false, int seed = 1)
    {
        manual_seed(seed);
        var spec = GeneratorSpec.Parse(arch, ngf: 4, norm: norm, dropout: dropout);
        using var g = spec.Build();
        // Non-trivial running statistics so eval mode and train mode differ.
        using (no_grad())
            foreach (var (name, t) in g.named_buffers())
                if (name.EndsWith("running_var")) t.uniform_(0.5, 2.0);
                else if (name.EndsWith("running_mean")) t.uniform_(-0.5, 0.5);
        SafeTensors.Save(path, g.state_dict());
        return spec;
    }


    [Fact]
    public void AFolderIsTranslatedAtEachImagesSizeAndABadImageIsSkippedWithExitOne()
    {
        using var dir = TestPaths.NewTempDir();
        var ckpt = dir.File("G.safetensors");
        SaveGenerator(ckpt, "resnet_2blocks", NormKind.Instance);
        var inDir = Path.Combine(dir.Path, "in");
        Directory.CreateDirectory(inDir);
        ImageIO.Save(TestImages.Noise(37, 21, 1), Path.Combine(inDir, "a.png"));
        ImageIO.Save(TestImages.Noise(16, 40, 2), Path.Combine(inDir, "b.png"));
        File.WriteAllText(Path.Combine(inDir, "broken.png"), "not an image");
        var outDir = Path.Combine(dir.Path, "out");
        var r = CliHarness.Run("translate", inDir, "-c", ckpt, "-o", outDir, "--eval", "--device", "cpu");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("broken.png", r.Err);
        var a = ImageIO.Load(Path.Combine(outDir, "a.png"));
        var b = ImageIO.Load(Path.Combine(outDir, "b.png"));
        Assert.Equal((37, 21), (a.Width, a.Height));
        Assert.Equal((16, 40), (b.Width, b.Height));
        Assert.False(File.Exists(Path.Combine(outDir, "broken.png")));
        // The CLI's output is the library's translation (8-bit rounding apart).
        using var t = Translator.Load(ckpt, evalMode: true);
        var direct = t.Translate(ImageIO.Load(Path.Combine(inDir, "a.png")));
        Assert.True(direct.Data.Zip(a.Data).Max(p => Math.Abs(p.First - p.Second)) <= 1 / 255f + 1e-6);
    }

    /// <summary>
    /// --engine onnxruntime runs the exported eval-mode network: the same pictures (8-bit rounding apart) as Atelier's
    /// layers for a U-Net in eval mode and for an instance-norm ResNet in either mode; refused, naming the option, for a
    /// generator whose train mode (the default) draws batch statistics and dropout.
    /// </summary>
    [Fact]
    public void TheOnnxRuntimeEngineGivesAtelierspicturesAndRefusesTrainModeBatchNorm()
    {
        using var dir = TestPaths.NewTempDir();
        SaveGenerator(dir.File("unet.safetensors"), "unet_32", NormKind.Batch, dropout: true);
        SaveGenerator(dir.File("resnet.safetensors"), "resnet_2blocks", NormKind.Instance);
        ImageIO.Save(TestImages.Noise(40, 30, 3), dir.File("x.png"));
        foreach (var (ckpt, mode) in new[] { ("unet", "--eval"), ("resnet", "--eval"), ("resnet", "--seed") })
        {
            string[] Args(string engine) => ["translate", dir.File("x.png"), "-c", dir.File($"{ckpt}.safetensors"), "-o", dir.File($"{ckpt}{mode}-{engine}.png"),
                "--engine", engine, .. mode == "--eval" ? new[] { "--eval" } : ["--seed", "3"]];
            Assert.Equal(0, CliHarness.Run(Args("torch")).ExitCode);
            var r = CliHarness.Run(Args("onnxruntime"));
            Assert.True(r.ExitCode == 0, r.Err);
            var torchImage = ImageIO.Load(dir.File($"{ckpt}{mode}-torch.png"));
            var ortImage = ImageIO.Load(dir.File($"{ckpt}{mode}-onnxruntime.png"));
            Assert.Equal((40, 30), (ortImage.Width, ortImage.Height));
            Assert.True(TestImages.MaxAbsDiff(torchImage, ortImage) <= 1 / 255f + 1e-6, $"{ckpt} {mode}: max diff {TestImages.MaxAbsDiff(torchImage, ortImage)}");
        }
        var refused = CliHarness.Run("translate", dir.File("x.png"), "-c", dir.File("unet.safetensors"), "-o", dir.File("t.png"), "--engine", "onnxruntime");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--engine onnxruntime", refused.Err);
        Assert.Contains("train mode", refused.Err);
        Assert.False(File.Exists(dir.File("t.png")));
    }

    [Fact]
    public void EvalModeDiffersFromTheReferencesTrainModeDefault()
    {
        using var dir = TestPaths.NewTempDir();
        var ckpt = dir.File("G.safetensors");
        SaveGenerator(ckpt, "unet_32", NormKind.Batch, dropout: true);
        ImageIO.Save(TestImages.Noise(40, 30, 3), dir.File("x.png"));
        Assert.Equal(0, CliHarness.Run("translate", dir.File("x.png"), "-c", ckpt, "-o", dir.File("eval.png"), "--eval", "--seed", "1").ExitCode);
        Assert.Equal(0, CliHarness.Run("translate", dir.File("x.png"), "-c", ckpt, "-o", dir.File("eval2.png"), "--eval", "--seed", "2").ExitCode);
        Assert.Equal(0, CliHarness.Run("translate", dir.File("x.png"), "-c", ckpt, "-o", dir.File("train.png"), "--seed", "1").ExitCode);
        var e1 = ImageIO.Load(dir.File("eval.png")); var e2 = ImageIO.Load(dir.File("eval2.png")); var tr = ImageIO.Load(dir.File("train.png"));
        Assert.Equal((40, 30), (tr.Width, tr.Height));
        Assert.Equal(e1.Data, e2.Data); // eval mode is deterministic whatever the seed
        Assert.True(e1.Data.Zip(tr.Data).Average(p => Math.Abs(p.First - p.Second)) > 0.01, "train mode (batch statistics, dropout) should differ from eval mode");
    }

    [Fact]
    public void BadInputsGiveClearErrors()
    {
        using var dir = TestPaths.NewTempDir();
        var ckpt = dir.File("G.safetensors");
        SaveGenerator(ckpt, "resnet_2blocks", NormKind.Instance);
        Directory.CreateDirectory(dir.File("empty"));
        var r = CliHarness.Run("translate", dir.File("empty"), "-c", ckpt, "-o", dir.File("out"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no images", r.Err);

        ImageIO.Save(TestImages.Noise(8, 8, 4), dir.File("x.png"));
        r = CliHarness.Run("translate", dir.File("x.png"), "-c", ckpt, "-o", dir.File("y.png"), "--arch", "unet_256");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("resnet_2blocks", r.Err);

        // A discriminator is not a generator.
        using (var d = new PatchDiscriminator(6, 4, 3)) SafeTensors.Save(dir.File("D.safetensors"), d.state_dict());
        r = CliHarness.Run("translate", dir.File("x.png"), "-c", dir.File("D.safetensors"), "-o", dir.File("y.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a pix2pix/CycleGAN generator", r.Err);

        r = CliHarness.Run("translate", dir.File("x.png"), "-c", ckpt, "-o", dir.File("y.png"), "--direction", "BtoA");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--direction", r.Err);
        Assert.False(File.Exists(dir.File("y.png")));
    }

    [Fact]
    public void ReflectPaddingReachesAnyMultiple()
    {
        using var scope = NewDisposeScope();
        var x = arange(5f).reshape(1, 1, 1, 5).expand(1, 1, 3, 5).contiguous();
        var (l, r) = Translator.PadFor(5, 32);
        Assert.Equal(32, 5 + l + r);
        var p = Translator.ReflectPad(x, l, r, 14, 15);
        Assert.Equal(new long[] { 1, 1, 32, 32 }, p.shape);
        // The original sits in the middle, unchanged; its neighbours mirror it (… 2 1 | 0 1 2 3 4 | 3 2 …).
        Assert.True(p[.., .., 14..17, l..(l + 5)].allclose(x));
        Assert.Equal(1f, p[0, 0, 14, l - 1].item<float>());
        Assert.Equal(3f, p[0, 0, 14, l + 5].item<float>());
    }
}
