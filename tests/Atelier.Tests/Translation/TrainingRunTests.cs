using Atelier.Imaging;
using Atelier.Training;
using Atelier.Translation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Translation;

/// <summary>
/// Pix2Pix and CycleGAN training end to end on tiny networks and tiny made-up images: losses fall, one pair is
/// overfitted, and a run stopped at a checkpoint and resumed in a fresh trainer reproduces an uninterrupted run
/// exactly (networks, optimisers, schedule, image pool, both random sources, step).
/// Serial: dropout and init draw from torch's process-wide generator, which tests running in parallel would also draw
/// from, making the exact-resume comparison depend on scheduling (the CLI runs one training per process).
/// </summary>
[Collection("TranslationTrainingSerial")]
public class TrainingRunTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A smooth colourful pattern.</summary>
    internal static Image Pattern(int size, int seed)
    {
        var img = new Image(size, size, 3);
        double fx = 1 + seed % 3, fy = 1 + seed % 2, ph = seed * 0.7;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    img[c, y, x] = (float)(0.5 + 0.4 * Math.Sin(fx * x * 0.2 + fy * y * 0.15 + ph + c * 2.1));
        return img;
    }

    /// <summary>Input = the gray version, target = the colour pattern.</summary>
    static ImagePair GrayToColour(int size, int seed)
    {
        var b = Pattern(size, seed);
        return new ImagePair($"p{seed}", ImageOps.ToRgb(ImageOps.ToGray(b)), b);
    }

    static Pix2PixOptions TinyPix2Pix(long seed = 1) => new()
    {
        Generator = "unet_32", Ngf = 8, Ndf = 8, Discriminator = "n_layers_2", LoadSize = 36, CropSize = 32, Seed = seed, LearningRate = 4e-3,
    };

    static CycleGanOptions TinyCycleGan(long seed = 1) => new()
    {
        Generator = "resnet_1blocks", Ngf = 4, Ndf = 4, Discriminator = "n_layers_1", LoadSize = 20, CropSize = 16, Seed = seed,
        LearningRate = 4e-3, PoolSize = 3,
    };

    static double Mean(IEnumerable<double> v) => v.Average();

    static List<Dictionary<string, double>> Steps(ITrainable t, int n, long from = 0)
    {
        var rows = new List<Dictionary<string, double>>();
        for (long s = from; s < from + n; s++) rows.Add(new Dictionary<string, double>(t.TrainStep(s)));
        return rows;
    }

    [Fact]
    public void Pix2PixOverfitsOnePairToLowL1()
    {
        var pair = GrayToColour(32, 3);
        using var trainer = new Pix2PixTrainer([pair], TinyPix2Pix() with { LoadSize = 32, Flip = false, Dropout = false });
        var before = Pix2PixTrainer.Score(trainer.G, [pair], 32, evalMode: false);
        var rows = Steps(trainer, 60);
        for (int i = 0; i < rows.Count; i += 10) output.WriteLine($"{i} G_L1 {rows[i]["G_L1"]:F3}");
        var after = Pix2PixTrainer.Score(trainer.G, [pair], 32, evalMode: false);
        Assert.All(rows.SelectMany(r => r.Values), v => Assert.True(double.IsFinite(v)));
        double l1First = Mean(rows.Take(10).Select(r => r["G_L1"])), l1Last = Mean(rows.TakeLast(10).Select(r => r["G_L1"]));
        Assert.True(l1Last < 0.25 * l1First, $"G_L1 {l1First:F3} -> {l1Last:F3}");
        // Mean absolute error in [0,1] units: from a random network's ~0.25 to a few grey levels.
        Assert.True(before.L1 > 0.1, $"untrained L1 {before.L1:F3}");
        Assert.True(after.L1 < 0.04, $"L1 after 60 steps {after.L1:F4} (before {before.L1:F3}); PSNR {after.Psnr:F1} dB");
        Assert.True(after.Psnr > 24, $"PSNR {after.Psnr:F1} dB");
    }

    [Fact]
    public void MeanColourBaselineIsTheFlatAverageOfTheTargets()
    {
        static Image Flat(float v) { var i = new Image(8, 8, 3); i.Data.AsSpan().Fill(v); return i; }
        // Targets flat at 0.2 and 0.6: the baseline paints 0.4 everywhere, 0.2 off each, PSNR 10 log10(1 / 0.04).
        var pairs = new[] { new ImagePair("a", Pattern(8, 1), Flat(0.2f)), new ImagePair("b", Pattern(8, 2), Flat(0.6f)) };
        var (l1, psnr) = Pix2PixTrainer.MeanColourBaseline(pairs, 8);
        Assert.Equal(0.2, l1, 5);
        Assert.Equal(10 * Math.Log10(1 / 0.04), psnr, 3);
        Assert.True(double.IsNaN(Pix2PixTrainer.MeanColourBaseline([], 8).L1));
        // Coloured from other pairs (the training set's): flat 0.3 is 0.1 off one target and 0.3 off the other.
        var (l1From, _) = Pix2PixTrainer.MeanColourBaseline(pairs, 8, [new ImagePair("t", Pattern(4, 3), Flat(0.3f))]);
        Assert.Equal(0.2, l1From, 5);
        var (l1Other, _) = Pix2PixTrainer.MeanColourBaseline(pairs, 8, [new ImagePair("t", Pattern(4, 3), Flat(0.9f))]);
        Assert.Equal(0.5, l1Other, 5);
    }

    [Fact]
    public void CycleGanCycleLossesFall()
    {
        // One image per domain (B: red and blue swapped), no crops or flips: the cycles can be learnt quickly.
        using var trainer = new CycleGanTrainer([Pattern(16, 1)], [SwapRedBlue(Pattern(16, 2))],
            TinyCycleGan() with { LoadSize = 16, Flip = false });
        var rows = Steps(trainer, 30);
        for (int i = 0; i < rows.Count; i += 4) output.WriteLine($"{i} " + string.Join(" ", rows[i].Select(kv => $"{kv.Key} {kv.Value:F3}")));
        Assert.All(rows.SelectMany(r => r.Values), v => Assert.True(double.IsFinite(v)));
        foreach (var k in new[] { "cycle_A", "cycle_B", "idt_A", "idt_B" })
        {
            double first = Mean(rows.Take(5).Select(r => r[k])), last = Mean(rows.TakeLast(5).Select(r => r[k]));
            Assert.True(last < 0.5 * first, $"{k}: {first:F3} -> {last:F3}");
        }
    }

    [Fact]
    public void CycleGanFeatureCycleComparesVggFeaturesAndTrains()
    {
        using var scope = NewDisposeScope();
        using var vgg = Atelier.Networks.Vgg.BuiltIn(upToLayer: "relu2_1", config: Atelier.Networks.VggConfig.Vgg19.Narrow(8));
        var x = rand(1, 3, 16, 16) * 2 - 1;
        var y = (rand(1, 3, 16, 16) * 2 - 1).requires_grad_(true);
        Assert.Equal(0f, CycleGanTrainer.FeatureDistance(vgg, "relu2_1", x, x).item<float>());
        var d = CycleGanTrainer.FeatureDistance(vgg, "relu2_1", x, y);
        Assert.True(d.item<float>() > 0);
        d.backward();
        Assert.True(y.grad!.abs().sum().item<float>() > 0, "no gradient reaches the reconstruction");
        Assert.False(y.grad!.isnan().any().item<bool>());

        // Features only (w = 1): the cycle term is the feature term, and it falls as the tiny CycleGAN trains
        // (a heavier cycle weight and no identity term, so the cycle dominates these few steps).
        using var trainer = new CycleGanTrainer([Pattern(16, 1)], [SwapRedBlue(Pattern(16, 2))],
            TinyCycleGan() with { LoadSize = 16, Flip = false, FeatureCycle = 1, FeatureLayer = "relu2_1", LambdaA = 30, LambdaB = 30, LambdaIdentity = 0 },
            featureNetwork: vgg);
        var rows = Steps(trainer, 30);
        Assert.All(rows, r => Assert.Equal(r["cycle_A"], r["cycle_feat_A"], 4));
        double first = Mean(rows.Take(5).Select(r => r["cycle_feat_A"])), last = Mean(rows.TakeLast(5).Select(r => r["cycle_feat_A"]));
        Assert.True(last < 0.7 * first, $"feature cycle {first:F3} -> {last:F3}");

        Assert.Throws<AtelierUsageException>(() => new CycleGanTrainer([Pattern(16, 1)], [Pattern(16, 2)], TinyCycleGan() with { FeatureCycle = 1.5 }));
        var e = Assert.Throws<AtelierException>(() => new CycleGanTrainer([Pattern(16, 1)], [Pattern(16, 2)], TinyCycleGan() with { FeatureCycle = 1, VggPath = "/nonexistent/vgg19.pth" }));
        Assert.Contains("/nonexistent/vgg19.pth", e.Message);
    }

    internal static Image SwapRedBlue(Image img)
    {
        var o = new Image(img.Width, img.Height, 3);
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
            {
                o[0, y, x] = img[2, y, x]; o[1, y, x] = img[1, y, x]; o[2, y, x] = img[0, y, x];
            }
        return o;
    }

    /// <summary>Runs <paramref name="make"/> for 8 steps straight, and for 4 + (fresh trainer, resume) 4; everything must match exactly.</summary>
    static void AssertResumeIsExact(Func<ITrainable> make, Func<ITrainable, IEnumerable<(string Name, Tensor T)>> state)
    {
        using var dir = TestPaths.NewTempDir();
        var straight = new TrainingLoopOptions(dir.File("straight"), Steps: 8, DecaySteps: 4, SampleEvery: 100, CheckpointEvery: 100);
        var split = straight with { RunDirectory = dir.File("split") };
        Dictionary<string, Tensor> expected;
        using (var t = make())
        {
            TrainingLoop.Run(t, straight, resume: false);
            expected = state(t).ToDictionary(kv => kv.Name, kv => kv.T.clone());
        }
        using (var cts = new CancellationTokenSource())
        using (var t = make())
        {
            // Stop after 4 steps as Ctrl+C would: the loop saves the checkpoint and returns.
            var progress = new Atelier.Runtime.InlineProgress(r => { if (r.Step == 4) cts.Cancel(); });
            var r = TrainingLoop.Run(t, split, resume: false, progress, cts.Token);
            Assert.True(r.Interrupted);
            Assert.Equal(4, r.Step);
        }
        using (var t = make())
        {
            var r = TrainingLoop.Run(t, split, resume: true);
            Assert.Equal(8, r.Step);
            Assert.Equal(4, r.StartStep); // the summary reports steps 4-8 for this run's time
            foreach (var (name, tensor) in state(t))
                Assert.True(tensor.shape.SequenceEqual(expected[name].shape) && tensor.eq(expected[name]).all().item<bool>(), $"{name} differs after resume");
        }
        Assert.Equal(File.ReadAllText(straight.LossLogPath), File.ReadAllText(split.LossLogPath));
        foreach (var t in expected.Values) t.Dispose();
    }

    static IEnumerable<(string, Tensor)> StateOf(params (string Prefix, nn.Module M)[] modules) =>
        modules.SelectMany(m => m.M.state_dict().Select(kv => ($"{m.Prefix}.{kv.Key}", kv.Value)));

    [Fact]
    public void Pix2PixResumesExactly()
    {
        // Dropout (torch's generator), random crops and flips (TrainingRandom), shuffled order, batch-norm buffers, Adam
        // moments and the decaying rate all take part.
        var data = Enumerable.Range(0, 3).Select(i => GrayToColour(36, i)).ToList();
        AssertResumeIsExact(() => new Pix2PixTrainer(data, TinyPix2Pix(7)),
            t => StateOf(("G", ((Pix2PixTrainer)t).G), ("D", ((Pix2PixTrainer)t).D)));
    }

    [Fact]
    public void CycleGanResumesExactlyWithItsImagePool()
    {
        // Pool of 3 with batch 1 over 8 steps: it fills, then swaps, so its content and random draws matter.
        var a = Enumerable.Range(0, 3).Select(i => Pattern(20, i)).ToList();
        var b = Enumerable.Range(5, 3).Select(i => SwapRedBlue(Pattern(20, i))).ToList();
        AssertResumeIsExact(() => new CycleGanTrainer(a, b, TinyCycleGan(3)),
            t => { var c = (CycleGanTrainer)t; return StateOf(("G_A", c.GA), ("G_B", c.GB), ("D_A", c.DA), ("D_B", c.DB)); });
    }
}

[CollectionDefinition("TranslationTrainingSerial", DisableParallelization = true)]
public class TranslationTrainingSerial { }
