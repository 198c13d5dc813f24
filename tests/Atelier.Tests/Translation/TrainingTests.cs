using Atelier.Imaging;
using Atelier.Tests.Cli;
using Atelier.Training;
using Atelier.Translation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Translation;

/// <summary>
/// Training building blocks; the end-to-end runs (overfitting one pair, losses falling, exact resume) are in
/// <see cref="TrainingRunTests"/>.
/// </summary>
public class TrainingTests
{
    [Fact]
    public void ImagePoolMixesOldAndNewFakesAndSchedulesDecayToZero()
    {
        using var scope = NewDisposeScope();
        using var pool = new ImagePool(3);
        var random = new TrainingRandom(5);
        for (int i = 0; i < 3; i++) Assert.Equal(i, pool.Query(full(1, 1, 2, 2, (float)i), random).mean().item<float>());
        int old = 0;
        for (int i = 3; i < 43; i++) if (pool.Query(full(1, 1, 2, 2, (float)i), random).mean().item<float>() < i) old++;
        Assert.InRange(old, 8, 32); // about half the time an older image comes back
        Assert.Equal(3, pool.Count);

        var s = new LinearDecaySchedule(100, 100);
        Assert.Equal(1.0, s.Factor(0));
        Assert.Equal(1.0, s.Factor(99));
        Assert.True(s.Factor(150) is > 0.45 and < 0.55);
        Assert.True(s.Factor(199) < 0.011);
    }

    [Fact]
    public void GanLossesMatchTheirDefinitions()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new[] { 0.5f, -1f, 2f });
        Assert.Equal(((0.25 + 4 + 1) / 3), GanLoss.Loss(GanMode.Lsgan, p, true).item<float>(), 5);
        Assert.Equal(((0.25 + 1 + 4) / 3), GanLoss.Loss(GanMode.Lsgan, p, false).item<float>(), 5);
        double bce = new[] { 0.5, -1, 2 }.Average(x => Math.Log(1 + Math.Exp(-x)));
        Assert.Equal(bce, GanLoss.Loss(GanMode.Vanilla, p, true).item<float>(), 5);
        Assert.Equal(-0.5, GanLoss.Loss(GanMode.Wgangp, p, true).item<float>(), 5);
        // Gradient penalty of a linear critic with weight norm 2: (2 - 1)^2 * 10.
        using var critic = nn.Linear(4, 1, hasBias: false);
        using (no_grad()) critic.weight!.copy_(tensor(new[] { 1f, 1f, 1f, 1f }).reshape(1, 4));
        var gp = GanLoss.GradientPenalty(new Flat(critic), rand(2, 1, 2, 2), rand(2, 1, 2, 2));
        Assert.Equal(10.0, gp.item<float>(), 3);
    }

    sealed class Flat(nn.Module<Tensor, Tensor> inner) : nn.Module<Tensor, Tensor>("Flat")
    {
        public override Tensor forward(Tensor x) => inner.forward(x.reshape(x.shape[0], -1));
    }

    [Fact]
    public void BadTrainingDataGivesClearErrors()
    {
        using var dir = TestPaths.NewTempDir();
        var ab = Path.Combine(dir.Path, "ab");
        Directory.CreateDirectory(ab);
        ImageIO.Save(new Image(33, 16, 3), Path.Combine(ab, "odd.png"));
        var e = Assert.Throws<AtelierException>(() => TranslationData.LoadAligned(ab));
        Assert.Contains("even", e.Message);

        var pairs = Path.Combine(dir.Path, "pairs");
        Directory.CreateDirectory(Path.Combine(pairs, "A"));
        Directory.CreateDirectory(Path.Combine(pairs, "B"));
        ImageIO.Save(new Image(8, 8, 3), Path.Combine(pairs, "A", "one.png"));
        ImageIO.Save(new Image(8, 8, 3), Path.Combine(pairs, "B", "two.png"));
        e = Assert.Throws<AtelierException>(() => TranslationData.LoadAligned(pairs));
        Assert.Contains("one", e.Message);
        Assert.Contains("two", e.Message);

        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));
        var r = CliHarness.Run("pix2pix", "train", "--data", Path.Combine(dir.Path, "empty"), "-o", dir.File("run"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no images", r.Err);
        r = CliHarness.Run("cyclegan", "train", "--data", Path.Combine(dir.Path, "empty"), "-o", dir.File("run"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("trainA", r.Err);
    }

    [Fact]
    public void OneBadImageIsReportedAndSkipped()
    {
        using var dir = TestPaths.NewTempDir();
        var ab = dir.File("ab");
        Directory.CreateDirectory(ab);
        ImageIO.Save(new Image(32, 16, 3), Path.Combine(ab, "good.png"));
        File.WriteAllText(Path.Combine(ab, "bad.png"), "not a png");
        var warnings = new List<string>();
        var pairs = TranslationData.LoadAligned(ab, warn: warnings.Add);
        Assert.Equal("good", Assert.Single(pairs).Name);
        Assert.Contains("bad.png", Assert.Single(warnings));

        var domains = dir.File("domains");
        foreach (var d in new[] { "trainA", "trainB" })
        {
            Directory.CreateDirectory(Path.Combine(domains, d));
            ImageIO.Save(new Image(8, 8, 3), Path.Combine(domains, d, "ok.png"));
        }
        File.WriteAllText(Path.Combine(domains, "trainB", "broken.jpg"), "junk");
        warnings.Clear();
        var (a, b) = TranslationData.LoadUnaligned(domains, warnings.Add);
        Assert.Equal((1, 1), (a.Count, b.Count));
        Assert.Contains("broken.jpg", Assert.Single(warnings));

        // Only bad images: a clear error rather than an empty run.
        File.Delete(Path.Combine(ab, "good.png"));
        var e = Assert.Throws<AtelierException>(() => TranslationData.LoadAligned(ab));
        Assert.Contains("no readable images", e.Message);
    }

    [Fact]
    public void TrainingCommandsSkipBadImagesRefuseOtherArchitecturesAndScoreHeldOutPairs()
    {
        using var dir = TestPaths.NewTempDir();
        var ab = dir.File("ab");
        Directory.CreateDirectory(ab);
        for (int i = 0; i < 2; i++)
            ImageIO.Save(Atelier.Translation.Data.PairDatasetBuilder.SideBySide(TrainingRunTests.Pattern(32, i), TrainingRunTests.Pattern(32, i + 5)), Path.Combine(ab, $"p{i}.png"));
        File.WriteAllText(Path.Combine(ab, "zz_bad.png"), "junk");
        string run = dir.File("run");
        string[] tiny = ["--arch", "unet_32", "--ngf", "4", "--ndf", "4", "--netD", "n_layers_1", "--load-size", "32", "--crop-size", "32", "--sample-every", "1"];
        var r = CliHarness.Run(["pix2pix", "train", "--data", ab, "-o", run, "--steps", "1", .. tiny]);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("zz_bad.png", r.Err);
        Assert.True(File.Exists(Path.Combine(run, "samples", "latest.png")));

        // Resuming with another width or another kind of run names the problem.
        r = CliHarness.Run(["pix2pix", "train", "--data", ab, "-o", run, "--steps", "2", "--resume", .. tiny.Select(a => a == "4" ? "8" : a)]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("another architecture", r.Err);
        var domains = dir.File("domains");
        foreach (var d in new[] { "trainA", "trainB" })
        {
            Directory.CreateDirectory(Path.Combine(domains, d));
            ImageIO.Save(TrainingRunTests.Pattern(32, 1), Path.Combine(domains, d, "x.png"));
        }
        r = CliHarness.Run("cyclegan", "train", "--data", domains, "-o", run, "--steps", "2", "--resume", "--arch", "resnet_1blocks", "--ngf", "4");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("a pix2pix run, not cyclegan", r.Err);

        // Held-out scoring: L1 / PSNR of the run's generator, and a grid of input, output, target rows.
        r = CliHarness.Run("--json", "pix2pix", "test", "-c", Path.Combine(run, "checkpoint.safetensors"), "--data", ab, "--size", "32", "--eval", "-o", dir.File("grid.png"));
        Assert.True(r.ExitCode == 0, r.Err);
        using var json = System.Text.Json.JsonDocument.Parse(r.Out);
        Assert.Equal(2, json.RootElement.GetProperty("pairs").GetInt32());
        double l1 = json.RootElement.GetProperty("l1").GetDouble(), psnr = json.RootElement.GetProperty("psnr").GetDouble();
        Assert.InRange(l1, 0.01, 1);
        Assert.InRange(psnr, 1, 40);
        // Beside it, what the targets' mean colour alone scores (the figure a generator must beat).
        var flat = json.RootElement.GetProperty("baseline");
        Assert.InRange(flat.GetProperty("l1").GetDouble(), 0.001, 1);
        Assert.InRange(flat.GetProperty("psnr").GetDouble(), 1, 60);
        Assert.Equal("scored pairs", flat.GetProperty("colour_from").GetString());
        // The baseline's colour from other pairs (the training set): here the same folder, so the same figures.
        var r2 = CliHarness.Run("--json", "pix2pix", "test", "-c", Path.Combine(run, "checkpoint.safetensors"), "--data", ab, "--size", "32", "--eval", "--baseline-data", ab);
        Assert.True(r2.ExitCode == 0, r2.Err);
        using (var json2 = System.Text.Json.JsonDocument.Parse(r2.Out))
        {
            var flat2 = json2.RootElement.GetProperty("baseline");
            Assert.Equal(ab, flat2.GetProperty("colour_from").GetString());
            Assert.Equal(flat.GetProperty("l1").GetDouble(), flat2.GetProperty("l1").GetDouble(), 4);
        }
        var grid = ImageIO.Load(dir.File("grid.png"));
        Assert.True(grid.Width > 3 * 32 && grid.Height > 2 * 32);
        r = CliHarness.Run("pix2pix", "test", "-c", Path.Combine(run, "checkpoint.safetensors"), "--data", ab, "--size", "32", "--arch", "resnet_9blocks");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not resnet_9blocks (leave out --arch to use what the file holds)", r.Err); // the library names its arch parameter
    }

    [Fact]
    public void CycleGanTestScoresBothRoundTripsOfARunsTwoGenerators()
    {
        using var dir = TestPaths.NewTempDir();
        var domains = dir.File("domains");
        foreach (var (d, seed) in new[] { ("trainA", 1), ("trainB", 2), ("testA", 3), ("testB", 4) })
        {
            Directory.CreateDirectory(Path.Combine(domains, d));
            for (int i = 0; i < 2; i++) ImageIO.Save(TrainingRunTests.Pattern(16, seed * 10 + i), Path.Combine(domains, d, $"x{i}.png"));
        }
        var run = dir.File("run");
        var r = CliHarness.Run("--seed", "1", "cyclegan", "train", "--data", domains, "-o", run, "--steps", "2", "--arch", "resnet_1blocks",
            "--ngf", "4", "--ndf", "4", "--netD", "n_layers_1", "--load-size", "16", "--crop-size", "16");
        Assert.True(r.ExitCode == 0, r.Err);

        // What ships is both generators, half precision, without the discriminators and optimisers.
        var both = dir.File("both.safetensors");
        r = CliHarness.Run("checkpoint", "convert", Path.Combine(run, "checkpoint.safetensors"), both, "--select", "G_A,G_B", "--half");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("CycleGAN run", r.Out);
        r = CliHarness.Run("--json", "cyclegan", "test", "-c", both, "--data", domains, "--size", "16", "-o", dir.File("grid.png"), "--rows", "1");
        Assert.True(r.ExitCode == 0, r.Err);
        using (var json = System.Text.Json.JsonDocument.Parse(r.Out))
        {
            Assert.Equal((2, 2), (json.RootElement.GetProperty("pictures_a").GetInt32(), json.RootElement.GetProperty("pictures_b").GetInt32()));
            Assert.InRange(json.RootElement.GetProperty("cycle_psnr_a").GetDouble(), 1, 60);
            Assert.InRange(json.RootElement.GetProperty("cycle_psnr_b").GetDouble(), 1, 60);
        }
        // Rows of picture, translation, back again: --rows of them each way.
        var grid = ImageIO.Load(dir.File("grid.png"));
        Assert.Equal(0, CliHarness.Run("cyclegan", "test", "-c", both, "--data", domains, "--size", "16", "-o", dir.File("grid2.png"), "--rows", "2").ExitCode);
        var grid2 = ImageIO.Load(dir.File("grid2.png"));
        Assert.True(grid.Width >= 3 * 16 && grid.Height >= 2 * 16 && grid2.Width == grid.Width, $"{grid.Width}x{grid.Height}");
        Assert.Equal(2 * grid.Height, grid2.Height, 2 * grid.Height / 10.0);

        // The same scores from the library, picture by picture: G_B(G_A(a)) against a.
        using (var aToB = Translator.Load(both, evalMode: true, direction: Direction.AtoB))
        using (var bToA = Translator.Load(both, evalMode: true, direction: Direction.BtoA))
        {
            var (a, b) = TranslationData.LoadUnaligned(domains, split: "test");
            var score = CycleEvaluation.Score(aToB, bToA, a, b, 16);
            var back = bToA.Translate(aToB.Translate(a[0]));
            Assert.Equal(new Atelier.Quality.PeakSignalToNoiseRatio().Compare(ImageOps.ToRgb(back), a[0]), score.FromA[0].Psnr, 6);
            Assert.Equal(score.FromA.Average(t => t.Psnr), score.PsnrA, 9);
        }

        // One generator cannot make the round trip.
        var one = dir.File("one.safetensors");
        Assert.Equal(0, CliHarness.Run("checkpoint", "convert", Path.Combine(run, "checkpoint.safetensors"), one, "--select", "G_A").ExitCode);
        r = CliHarness.Run("cyclegan", "test", "-c", one, "--data", domains, "--size", "16");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("holds one generator", r.Err);
    }
}
