using System.Globalization;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Style;
using Atelier.Tests.Cli;
using Atelier.Tests.Translation;
using Atelier.Training;
using Atelier.Translation;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Training;

/// <summary>
/// Held-out figures through the shared training loop: logged every EvalEvery steps and at the end in metrics.csv
/// (with metrics.png, run.json and the result), kept exactly across a resume, refused clearly where they cannot be
/// computed, and wired into each image-making trainer's command.
/// </summary>
[Collection("TranslationTrainingSerial")]
public class HeldOutEvaluationTests
{
    /// <summary>
    /// A trainable whose "network" moves from the held-out inputs (gray) towards their targets (colour) as it trains:
    /// output = input + t (target − input) with t = step / (steps + 1), so PSNR and SSIM rise with every step.
    /// </summary>
    sealed class Approacher(long steps, bool scoring = true) : ITrainable, IHeldOutScoring
    {
        long _step;
        public string Kind => "test-approacher";
        public IReadOnlyDictionary<string, double> TrainStep(long step)
        {
            _step = step + 1;
            return new Dictionary<string, double> { ["loss"] = 1.0 / _step };
        }
        public void SetLearningRateFactor(double factor) { }
        public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata) =>
            metadata["step"] = _step.ToString(CultureInfo.InvariantCulture);
        public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
            _step = long.Parse(metadata["step"], CultureInfo.InvariantCulture);
        public (IReadOnlyList<(Image Image, string? Caption)> Cells, int Columns) Samples() => ([(new Image(4, 4, 3), null)], 1);
        public void Dispose() { }

        public HeldOutData LoadHeldOut(string folder, int maxImages, Action<string>? warn)
        {
            if (!scoring) throw new InvalidOperationException("not asked");
            var targets = TranslationData.ImagesIn(folder).Take(maxImages).Select(f => ImageIO.Load(f)).ToList();
            return new HeldOutData(HeldOutFigures.Pairs, targets.Select(t => ImageOps.ToRgb(ImageOps.ToGray(t))).ToList(), targets);
        }

        public IReadOnlyList<Image> Produce(HeldOutData data)
        {
            float t = (float)_step / (steps + 1);
            return data.Inputs.Select((input, i) =>
            {
                var o = input.Clone();
                for (int k = 0; k < o.Data.Length; k++) o.Data[k] += t * (data.References[i].Data[k] - o.Data[k]);
                return o;
            }).ToList();
        }
    }

    /// <summary>A trainable that makes no pictures.</summary>
    sealed class Silent : ITrainable
    {
        public string Kind => "test-silent";
        public IReadOnlyDictionary<string, double> TrainStep(long step) => new Dictionary<string, double> { ["loss"] = 1 };
        public void SetLearningRateFactor(double factor) { }
        public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata) { }
        public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata) { }
        public (IReadOnlyList<(Image Image, string? Caption)> Cells, int Columns) Samples() => ([(new Image(4, 4, 3), null)], 1);
        public void Dispose() { }
    }

    static string HeldOutFolder(TempDir dir, int count = 3, string name = "heldout", int size = 32)
    {
        var folder = Directory.CreateDirectory(dir.File(name)).FullName;
        for (int i = 0; i < count; i++) ImageIO.Save(TrainingRunTests.Pattern(size, i + 1), Path.Combine(folder, $"p{i}.png"));
        return folder;
    }

    static List<(long Step, string Metric, double Value)> ReadMetrics(string run) =>
        File.ReadLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => l.Split(','))
            .Select(p => (long.Parse(p[0], CultureInfo.InvariantCulture), p[1], double.Parse(p[2], CultureInfo.InvariantCulture))).ToList();

    [Fact]
    public void TheLoopLogsPlotsAndReportsTheHeldOutFiguresAndAResumeKeepsThemExactly()
    {
        using var dir = TestPaths.NewTempDir();
        var heldOut = HeldOutFolder(dir);
        TrainingLoopOptions Options(string run, long steps) => new(run, steps, SampleEvery: 100, CheckpointEvery: 3) { EvalDir = heldOut, EvalEvery = 2 };
        using var straight = new Approacher(6);
        var r = TrainingLoop.Run(straight, Options(dir.File("straight"), 6), false);

        var rows = ReadMetrics(dir.File("straight"));
        Assert.Equal([2L, 4, 6], rows.Select(x => x.Step).Distinct());
        Assert.Equal(["featureDistance", "l1", "psnr", "ssim", "styleDistance"], rows.Where(x => x.Step == 2).Select(x => x.Metric));
        var psnr = rows.Where(x => x.Metric == "psnr").Select(x => x.Value).ToList();
        var ssim = rows.Where(x => x.Metric == "ssim").Select(x => x.Value).ToList();
        Assert.True(psnr[0] < psnr[1] && psnr[1] < psnr[2], $"PSNR {string.Join(", ", psnr)}");
        Assert.True(ssim[0] < ssim[1] && ssim[1] < ssim[2], $"SSIM {string.Join(", ", ssim)}");
        // Known answer at the last step: outputs are 6/7 of the way to the targets, so the error is 1/7 of the gray's.
        using var suite = Atelier.Quality.MetricSuite.BuiltIn();
        var targets = Directory.GetFiles(heldOut).Order(StringComparer.Ordinal).Select(f => ImageIO.Load(f)).ToList();
        double grayL1 = targets.Average(t => new Atelier.Quality.MeanAbsoluteError().Compare(ImageOps.ToRgb(ImageOps.ToGray(t)), t));
        Assert.Equal(grayL1 / 7, r.LastMetrics["l1"], 6);
        Assert.Equal(psnr[2], r.LastMetrics["psnr"]);
        Assert.Equal(3, r.MetricHistory["psnr"].Count);
        Assert.True(File.Exists(Path.Combine(dir.File("straight"), "metrics.png")));
        using (var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("straight"), "run.json"))))
            Assert.Equal(r.LastMetrics["ssim"], info.RootElement.GetProperty("heldOut").GetProperty("ssim").GetDouble(), 12);

        // Run to step 3 (a run's last step is always scored) and resumed: the straight run's rows, and step 3's.
        using (var first = new Approacher(6)) TrainingLoop.Run(first, Options(dir.File("split"), 3), false);
        using var second = new Approacher(6);
        var resumed = TrainingLoop.Run(second, Options(dir.File("split"), 6), true);
        var split = ReadMetrics(dir.File("split"));
        Assert.Equal(rows, split.Where(x => x.Step != 3));
        Assert.Equal(5, split.Count(x => x.Step == 3));
        Assert.Equal(r.LastMetrics, resumed.LastMetrics);
    }

    [Fact]
    public void HeldOutFiguresThatCannotBeComputedAreRefusedBeforeTraining()
    {
        using var dir = TestPaths.NewTempDir();
        var heldOut = HeldOutFolder(dir);
        using var silent = new Silent();
        var e = Assert.Throws<AtelierUsageException>(() => TrainingLoop.Run(silent, new TrainingLoopOptions(dir.File("a"), 2) { EvalDir = heldOut }, false));
        Assert.Equal("{EvalDir}: a test-silent run has no held-out figures", e.Template);
        using var approacher = new Approacher(2);
        e = Assert.Throws<AtelierUsageException>(() => TrainingLoop.Run(approacher, new TrainingLoopOptions(dir.File("b"), 2) { EvalDir = heldOut, EvalEvery = 0 }, false));
        Assert.Contains("{EvalEvery} 0", e.Template);
        e = Assert.Throws<AtelierUsageException>(() => TrainingLoop.Run(approacher, new TrainingLoopOptions(dir.File("b"), 2) { EvalEvery = 5 }, false));
        Assert.Equal("{EvalEvery} 5: needs a held-out folder ({EvalDir})", e.Template);
        e = Assert.Throws<AtelierUsageException>(() => TrainingLoop.Run(approacher, new TrainingLoopOptions(dir.File("c"), 2) { EvalDir = dir.File("none") }, false));
        Assert.Contains("no such folder", e.Message);
        Assert.False(Directory.Exists(dir.File("c")), "nothing is written before the held-out folder is read");
    }

    [Fact]
    public void EachImageMakingTrainerLogsHeldOutFiguresFromTheCommandLine()
    {
        using var dir = TestPaths.NewTempDir();
        // pix2pix: aligned AB pairs; the figures of its eval-mode outputs against the targets.
        var ab = Directory.CreateDirectory(dir.File("ab")).FullName;
        for (int i = 0; i < 2; i++)
            ImageIO.Save(Atelier.Translation.Data.PairDatasetBuilder.SideBySide(TrainingRunTests.Pattern(32, i), TrainingRunTests.Pattern(32, i + 5)), Path.Combine(ab, $"p{i}.png"));
        var run = dir.File("p2p");
        var r = CliHarness.Run("--json", "pix2pix", "train", "--data", ab, "-o", run, "--steps", "2", "--arch", "unet_32", "--ngf", "4", "--ndf", "4",
            "--netD", "n_layers_1", "--load-size", "32", "--crop-size", "32", "--eval-dir", ab, "--eval-every", "1");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal([1L, 2], ReadMetrics(run).Select(x => x.Step).Distinct());
        using (var json = JsonDocument.Parse(r.Out))
            Assert.InRange(json.RootElement.GetProperty("heldOut").GetProperty("ssim").GetDouble(), -1, 1);

        // cyclegan: FD and KID of G_A's outputs for testA/ against testB/.
        var domains = dir.File("domains");
        foreach (var d in new[] { "trainA", "trainB", "testA", "testB" }) HeldOutFolder(dir, 4, Path.Combine("domains", d), 16);
        run = dir.File("cg");
        r = CliHarness.Run("cyclegan", "train", "--data", domains, "-o", run, "--steps", "1", "--arch", "resnet_1blocks", "--ngf", "4", "--ndf", "4",
            "--netD", "n_layers_1", "--load-size", "16", "--crop-size", "16", "--eval-dir", domains);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(["fd", "kid"], ReadMetrics(run).Select(x => x.Metric));

        // stylegan: FD and KID of g_ema's samples against the held-out pictures; too few is one clear line.
        var shapes = HeldOutFolder(dir, 4, "shapes", 8);
        run = dir.File("sg");
        r = CliHarness.Run("stylegan", "train", "--data", shapes, "-o", run, "--steps", "1", "--size", "8", "--latent", "16", "--n-mlp", "2",
            "--channels", "8", "--batch-size", "2", "--eval-dir", shapes);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("held-out fd=", r.Out);
        Assert.Equal(["fd", "kid"], ReadMetrics(run).Select(x => x.Metric));
        r = CliHarness.Run("stylegan", "train", "--data", shapes, "-o", dir.File("sg2"), "--steps", "1", "--size", "8", "--latent", "16", "--n-mlp", "2",
            "--channels", "8", "--batch-size", "2", "--eval-dir", shapes, "--eval-images", "3");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"--eval-dir {shapes}: 3 held-out pictures a side; the set figures (FD, KID) need at least 4 (and --eval-images at least 4)", r.Err);

        // fast-style: style distance to the style picture and content distance to the held-out pictures.
        var content = HeldOutFolder(dir, 2, "content", 40);
        var style = Path.Combine(HeldOutFolder(dir, 1, "style", 40), "p0.png");
        r = CliHarness.Run("fast-style", "train", "--style", style, "--content-dir", content, "-o", dir.File("fs.safetensors"), "--steps", "1",
            "--image-size", "32", "--batch-size", "1", "--eval-dir", content);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(["contentDistance", "styleDistance"], ReadMetrics(dir.File("fs.safetensors") + ".run").Select(x => x.Metric));

        // adain: held-out contents each stylised with a held-out style; a folder without content/ and style/ is named.
        var adainHeldOut = dir.File("adain-heldout");
        HeldOutFolder(dir, 2, Path.Combine("adain-heldout", "content"), 40);
        HeldOutFolder(dir, 1, Path.Combine("adain-heldout", "style"), 40);
        r = CliHarness.Run("adain", "train", "--content-dir", content, "--style-dir", Path.GetDirectoryName(style)!, "-o", dir.File("dec.safetensors"),
            "--steps", "1", "--load-size", "32", "--crop-size", "32", "--batch-size", "1", "--eval-dir", adainHeldOut);
        Assert.True(r.ExitCode == 0, r.Err);
        var adain = ReadMetrics(dir.File("dec.safetensors") + ".run");
        Assert.Equal(["contentDistance", "styleDistance"], adain.Select(x => x.Metric));
        r = CliHarness.Run("adain", "train", "--content-dir", content, "--style-dir", Path.GetDirectoryName(style)!, "-o", dir.File("dec2.safetensors"),
            "--steps", "1", "--load-size", "32", "--crop-size", "32", "--batch-size", "1", "--eval-dir", content);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("holds content/ and style/ subfolders", r.Err);
    }
}
