using Atelier.Imaging;
using Atelier.StyleGan;
using Atelier.StyleGan.Training;
using Atelier.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Tests.StyleGan;

/// <summary>StyleGAN2 training on a tiny 8 px model: the loop, losses, R1, EMA, exact resume, grids, data.</summary>
/// <remarks>Serial: exact resume depends on torch's global random generator, which parallel tests would also draw from.</remarks>
[Collection("StyleGanTrainingSerial")]
public class StyleGanTrainingTests
{
    /// <summary>Every regulariser on, every other step, so a few steps exercise them all.</summary>
    static StyleGanTrainingOptions Tiny => new()
    {
        Size = 8, StyleDim = 16, NMlp = 2, Channels = 8, BatchSize = 4, R1 = 10, PathRegularize = 2,
        DRegEvery = 2, GRegEvery = 2, Mixing = 0.9, EmaKimg = 0.01, SampleCount = 4, Seed = 3,
    };

    static ImageFolderDataset TinyData() =>
        new(Enumerable.Range(0, 6).Select(i => ShapesDataset.Render(1, i, 8)).ToList(), 8);

    static TrainingResult Train(string runDir, long steps, bool resume)
    {
        using var data = TinyData();
        using var trainer = new StyleGanTrainer(data, Tiny);
        return TrainingLoop.Run(trainer, new TrainingLoopOptions(runDir, steps, 0, SampleEvery: 2, CheckpointEvery: 100), resume);
    }

    [Fact]
    public void TheLoopRunsWithFiniteLossesAndWritesGridsPlotsAndALoadableCheckpoint()
    {
        using var dir = TestPaths.NewTempDir();
        var run = dir.File("run");
        var r = Train(run, 4, resume: false);
        Assert.Equal(4, r.Step);
        Assert.False(r.Interrupted);
        foreach (var key in new[] { "d", "g", "real_score", "fake_score" })
            Assert.True(double.IsFinite(r.LastLosses[key]), $"{key} = {r.LastLosses[key]}");
        // Regularisation steps (0 and 2 of 0..3) logged R1 and the path length, finite and positive.
        var log = File.ReadAllLines(Path.Combine(run, "losses.csv"));
        var r1 = log.Where(l => l.Contains(",r1,")).Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var path = log.Where(l => l.Contains(",path_length,")).ToList();
        Assert.Equal(2, r1.Count);
        Assert.All(r1, v => Assert.True(double.IsFinite(v) && v > 0, $"r1 = {v}"));
        Assert.Equal(2, path.Count);

        Assert.True(File.Exists(Path.Combine(run, "samples", "step_000002.png")));
        Assert.True(File.Exists(Path.Combine(run, "samples", "step_000004.png")));
        Assert.True(File.Exists(Path.Combine(run, "losses.png")));
        var grid = ImageIO.Load(Path.Combine(run, "samples", "latest.png"));
        Assert.True(grid.Width >= 2 * 8 && grid.Height >= 2 * 8, $"grid {grid.Width}x{grid.Height}");

        // `stylegan generate --checkpoint` loads the run checkpoint's g_ema.
        using var g = GeneratorLoader.Load(Path.Combine(run, "checkpoint.safetensors"));
        Assert.Equal(8, g.Size);
        Assert.Equal(16, g.StyleDim);
        using var noGrad = no_grad();
        using var img = g.Generate(randn(2, 16), LatentSpace.Z);
        Assert.True(img.isfinite().all().item<bool>());
    }

    [Fact]
    public void AResumedRunMatchesAnUninterruptedOneExactly()
    {
        using var dir = TestPaths.NewTempDir();
        var straight = dir.File("straight");
        var resumed = dir.File("resumed");
        Train(straight, 5, resume: false);
        Train(resumed, 3, resume: false);
        Train(resumed, 5, resume: true);

        using var a = Checkpointing.Load(Path.Combine(straight, "checkpoint.safetensors"));
        using var b = Checkpointing.Load(Path.Combine(resumed, "checkpoint.safetensors"));
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var (key, t) in a.Tensors)
            Assert.True(t.equal(b.Tensors[key]).all().item<bool>(), $"{key} differs after resume");
        Assert.Equal(a.Metadata["mean_path_length"], b.Metadata["mean_path_length"]);
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "losses.csv")), File.ReadAllText(Path.Combine(resumed, "losses.csv")));
    }

    [Fact]
    public void TheEmaGeneratorDiffersFromGAndMovesTowardIt()
    {
        using var scope = NewDisposeScope();
        using var data = TinyData();
        using var trainer = new StyleGanTrainer(data, Tiny);
        double Distance() => trainer.GEma.parameters().Zip(trainer.G.parameters(), (e, g) => (e - g).pow(2).sum().item<float>()).Sum();
        Assert.Equal(0, Distance()); // g_ema starts as a copy of G
        for (int s = 0; s < 2; s++) trainer.TrainStep(s);
        double apart = Distance();
        Assert.True(apart > 0, "after training steps g_ema should lag behind G");

        // One accumulate with decay d moves every weight to d ema + (1 - d) g: the distance shrinks by d^2.
        var before = trainer.GEma.parameters().Select(p => p.detach().clone()).ToList();
        StyleGanTrainer.Accumulate(trainer.GEma, trainer.G, 0.75);
        var after = trainer.GEma.parameters().ToList();
        var target = trainer.G.parameters().ToList();
        for (int i = 0; i < after.Count; i++)
            Assert.True(after[i].allclose(before[i] * 0.75 + target[i] * 0.25, 1e-5, 1e-6), $"parameter {i} is not the weighted average");
        Assert.Equal(apart * 0.75 * 0.75, Distance(), apart * 1e-3);
    }

    [Fact]
    public void EmaDecayIsRosinalitysAtBatch32()
    {
        var o = new StyleGanTrainingOptions { BatchSize = 32, EmaKimg = 10 };
        Assert.Equal(Math.Pow(0.5, 32 / (10.0 * 1000)), o.EmaDecay, 15);
        Assert.Equal(Math.Pow(0.5, 8 / (10.0 * 1000)), (o with { BatchSize = 8 }).EmaDecay, 15);
    }

    [Fact]
    public void R1MatchesAHandComputationOnATinyDiscriminator()
    {
        using var scope = NewDisposeScope();
        // D(x) = sum(w x) + c sum(x^2): grad = w + 2 c x, so R1 = mean_n sum (w + 2 c x_n)^2.
        manual_seed(5);
        var x = randn(3, 2, 2, 2, float64);
        var w = randn(1, 2, 2, 2, float64);
        const double c = 0.3;
        var xr = x.detach().requires_grad_(true);
        var pred = (xr * w).sum(new long[] { 1, 2, 3 }) + c * xr.pow(2).sum(new long[] { 1, 2, 3 });
        double r1 = StyleGanLosses.R1(pred, xr).item<double>();
        double expected = 0;
        var xs = x.data<double>().ToArray();
        var ws = w.data<double>().ToArray();
        for (int n = 0; n < 3; n++)
        {
            double sum = 0;
            for (int i = 0; i < 8; i++) { double g = ws[i] + 2 * c * xs[n * 8 + i]; sum += g * g; }
            expected += sum / 3;
        }
        Assert.Equal(expected, r1, 10);
    }

    [Fact]
    public void R1OnTheStyleGanDiscriminatorMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var d = new Discriminator(new GeneratorConfig(8, 16, 1, MaxChannels: 4));
        d.to(float64);
        var x = randn(4, 3, 8, 8, float64);
        var xr = x.detach().requires_grad_(true);
        var pred = d.forward(xr);
        var grad = autograd.grad(new[] { pred.sum() }, new[] { xr }, retain_graph: true, create_graph: true)[0];
        double r1 = StyleGanLosses.R1(d.forward(xr), xr).item<double>();
        Assert.Equal(grad.pow(2).sum().item<double>() / 4, r1, 9);
        // The gradient itself (through SafeConv's input-gradient path) against central differences along random directions.
        using var noGrad = no_grad();
        for (int k = 0; k < 3; k++)
        {
            var v = randn_like(x);
            const double h = 1e-5;
            double numeric = (d.forward(x + h * v).sum().item<double>() - d.forward(x - h * v).sum().item<double>()) / (2 * h);
            double analytic = (grad * v).sum().item<double>();
            Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * Math.Max(1, Math.Abs(analytic)), $"directional derivative {analytic} vs finite difference {numeric}");
        }
    }

    [Fact]
    public void ShapesAreSeededAndVaried()
    {
        var a = ShapesDataset.Render(4, 0, 16);
        Assert.Equal(a.Data, ShapesDataset.Render(4, 0, 16).Data);
        Assert.NotEqual(a.Data, ShapesDataset.Render(4, 1, 16).Data);
        Assert.NotEqual(a.Data, ShapesDataset.Render(5, 0, 16).Data);
        Assert.All(a.Data, v => Assert.InRange(v, 0f, 1f));
        // A shape on a background: more than one colour in the image.
        Assert.True(a.Data.Distinct().Count() > 10);
    }

    [Fact]
    public void BadSettingsAndMismatchedDataAreRefused()
    {
        Assert.Throws<AtelierUsageException>(() => (Tiny with { Size = 12 }).Validate());
        Assert.Throws<AtelierUsageException>(() => (Tiny with { Mixing = 1.5 }).Validate());
        using var data = new ImageFolderDataset([ShapesDataset.Render(1, 0, 16)], 16);
        var e = Assert.Throws<AtelierException>(() => new StyleGanTrainer(data, Tiny));
        Assert.Contains("16 px", e.Message);
        using var dir = TestPaths.NewTempDir();
        Assert.Throws<AtelierException>(() => ImageFolderDataset.Load(dir.Path, 8));
    }
}

[CollectionDefinition("StyleGanTrainingSerial", DisableParallelization = true)]
public class StyleGanTrainingSerialCollection { }
