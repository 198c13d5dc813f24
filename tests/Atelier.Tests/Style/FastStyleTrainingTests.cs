using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Style;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

/// <summary>Short training runs on tiny images: losses fall, grids and plots appear, resuming continues exactly.</summary>
[Collection("StyleTrainingSerial")]
public class FastStyleTrainingTests
{
    /// <summary>Smooth random images (gradients + blobs): something with structure for the losses to work on.</summary>
    static void WriteImages(string dir, int count, int size, int seed)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            var img = new Image(size, size, 3);
            double fx = rng.NextDouble() * 0.5, fy = rng.NextDouble() * 0.5;
            for (int c = 0; c < 3; c++)
            {
                double phase = rng.NextDouble() * 6;
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        img.Data[(c * size + y) * size + x] = (float)(0.5 + 0.45 * Math.Sin(fx * x * (c + 1) + fy * y + phase));
            }
            ImageIO.Save(img, Path.Combine(dir, $"img{n}.png"));
        }
    }

    static Vgg TinyVgg16() => Vgg.BuiltIn(upToLayer: "relu4_3", config: VggConfig.Vgg16.Narrow(8));

    [Fact]
    public void FastStyleTrainingLowersTheLossWritesSamplesAndResumesExactly()
    {
        using var dir = TestPaths.NewTempDir();
        WriteImages(dir.File("content"), 4, 40, 1);
        WriteImages(dir.File("style"), 1, 40, 2);
        using var vgg = TinyVgg16();
        FastStyleTrainOptions Options(string output, long steps, bool resume) => new()
        {
            StyleImage = Path.Combine(dir.File("style"), "img0.png"), ContentDir = dir.File("content"), Output = output,
            ImageSize = 32, BatchSize = 2, Steps = steps, SampleEvery = 4, Resume = resume, Seed = 7, LearningRate = 1e-3, ContentWeight = 1, StyleWeight = 1e4,
            RunDir = output + ".run",
        };
        manual_seed(1);
        var full = FastStyleTrainer.Train(Options(dir.File("a.safetensors"), 12, false), vgg);
        Assert.Equal(12, full.Steps);
        var total = full.History["total"];
        Assert.True(total.TakeLast(3).Average(p => p.Y) < total.Take(3).Average(p => p.Y) * 0.8,
            $"loss did not fall: {string.Join(", ", total.Select(p => p.Y.ToString("G3")))}");
        Assert.True(File.Exists(Path.Combine(full.RunDirectory, "samples", "step_000004.png")));
        Assert.True(File.Exists(Path.Combine(full.RunDirectory, "samples", "step_000012.png")));
        Assert.True(File.Exists(Path.Combine(full.RunDirectory, "losses.png")));
        using var trained = FastStyle.LoadModel(dir.File("a.safetensors")); // loadable by `style fast`
        using var fromRun = FastStyle.LoadModel(Path.Combine(full.RunDirectory, "checkpoint.safetensors")); // so is the run's checkpoint (its net.*)
        var runWeights = fromRun.state_dict();
        foreach (var (k, v) in trained.state_dict()) Assert.True(v.allclose(runWeights[k], rtol: 0, atol: 0), $"{k} differs in the run checkpoint");

        // 8 steps, then a second run resuming to 12: the same weights as 12 steps straight.
        manual_seed(1);
        FastStyleTrainer.Train(Options(dir.File("b.safetensors"), 8, false), vgg);
        manual_seed(99);
        FastStyleTrainer.Train(Options(dir.File("b.safetensors"), 12, true), vgg);
        var a = Checkpoint.LoadStateDict(dir.File("a.safetensors"));
        var b = Checkpoint.LoadStateDict(dir.File("b.safetensors"));
        foreach (var (k, v) in a) Assert.True(v.allclose(b[k], rtol: 1e-4, atol: 1e-6), $"{k} differs after resuming");
    }

    /// <summary>
    /// A new run may start from a trained network (stored as float16, as Atelier ships them): its first loss is the trained
    /// network's, far below a random start's, and one Adam step moves no weight by more than the learning rate.
    /// </summary>
    [Fact]
    public void ANewRunCanStartFromATrainedNetwork()
    {
        using var dir = TestPaths.NewTempDir();
        WriteImages(dir.File("content"), 4, 40, 1);
        WriteImages(dir.File("style"), 1, 40, 2);
        using var vgg = TinyVgg16();
        FastStyleTrainOptions Options(string output, long steps, string? start, double lr) => new()
        {
            StyleImage = Path.Combine(dir.File("style"), "img0.png"), ContentDir = dir.File("content"), Output = output,
            ImageSize = 32, BatchSize = 2, Steps = steps, SampleEvery = 100, Seed = 7, LearningRate = lr, ContentWeight = 1, StyleWeight = 1e4,
            InitialWeights = start,
        };
        var trained = FastStyleTrainer.Train(Options(dir.File("a.safetensors"), 16, null, 1e-2), vgg);
        var half = Checkpoint.LoadStateDict(dir.File("a.safetensors")).ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float16));
        Atelier.Checkpoints.SafeTensors.Save(dir.File("a16.safetensors"), half);

        var fresh = FastStyleTrainer.Train(Options(dir.File("b.safetensors"), 1, null, 1e-3), vgg);
        var tuned = FastStyleTrainer.Train(Options(dir.File("c.safetensors"), 1, dir.File("a16.safetensors"), 1e-3), vgg);
        double trainedLast = trained.History["total"][^1].Y, freshFirst = fresh.History["total"][0].Y, tunedFirst = tuned.History["total"][0].Y;
        Assert.True(tunedFirst < 0.5 * freshFirst, $"started from the trained network: {tunedFirst:G4}, from random weights: {freshFirst:G4}");
        Assert.True(Math.Abs(tunedFirst - trainedLast) < 0.25 * trainedLast, $"first loss {tunedFirst:G4}, the trained run's last {trainedLast:G4}");
        var c = Checkpoint.LoadStateDict(dir.File("c.safetensors"));
        foreach (var (k, v) in half)
        {
            double moved = (c[k] - v.to(ScalarType.Float32)).abs().max().item<float>();
            Assert.True(moved <= 1.05e-3, $"{k} moved {moved:G3} in one step at lr 1e-3");
        }

        var missing = Assert.Throws<AtelierException>(() => FastStyleTrainer.Train(Options(dir.File("d.safetensors"), 1, dir.File("none.safetensors"), 1e-3), vgg));
        Assert.Contains("none.safetensors", missing.Message);
    }

    /// <summary>
    /// A flat crop (zero variance at every instance normalisation) overflows the gradient; it is left out of the batch
    /// with one warning for the whole run, and no update is skipped.
    /// </summary>
    [Fact]
    public void FlatContentImagesAreSkippedWithOneWarning()
    {
        using var dir = TestPaths.NewTempDir();
        WriteImages(dir.File("content"), 3, 40, 5);
        WriteImages(dir.File("style"), 1, 40, 6);
        var flat = new Image(40, 40, 3);
        Array.Fill(flat.Data, 0.02f);
        ImageIO.Save(flat, Path.Combine(dir.File("content"), "flat.png"));
        using var vgg = TinyVgg16();
        var warnings = new List<string>();
        var r = FastStyleTrainer.Train(new FastStyleTrainOptions
        {
            StyleImage = Path.Combine(dir.File("style"), "img0.png"), ContentDir = dir.File("content"), Output = dir.File("f.safetensors"),
            ImageSize = 32, BatchSize = 2, Steps = 6, SampleEvery = 6, Seed = 3, ContentWeight = 1, StyleWeight = 1e4,
        }, vgg, warn: warnings.Add);
        Assert.Equal(6, r.Steps);
        var single = Assert.Single(warnings);
        Assert.Contains("flat.png", single);
        Assert.Contains("flat colour", single);

        Assert.True(StyleTrainingSupport.IsFlat(flat));
        flat.Data[5] += 0.2f; // one bright pixel in 1600: a standard deviation of 0.005, above half a grey level
        Assert.False(StyleTrainingSupport.IsFlat(flat));
    }

    [Fact]
    public void FastStyleTrainingOnTheBuiltInResNet18UsesItsRecipeAndLowersTheLoss()
    {
        using var dir = TestPaths.NewTempDir();
        WriteImages(dir.File("content"), 4, 40, 3);
        WriteImages(dir.File("style"), 1, 48, 4);
        using var resnet = ResNetFeatures.BuiltIn();
        var o = new FastStyleTrainOptions
        {
            StyleImage = Path.Combine(dir.File("style"), "img0.png"), ContentDir = dir.File("content"), Output = dir.File("r.safetensors"),
            ImageSize = 32, BatchSize = 2, Steps = 24, SampleEvery = 24, Seed = 3, LearningRate = 1e-2,
        };
        manual_seed(1);
        var r = FastStyleTrainer.Train(o, resnet);
        var total = r.History["total"];
        Assert.True(total.TakeLast(3).Average(p => p.Y) < total.Take(3).Average(p => p.Y) * 0.92,
            $"loss did not fall: {string.Join(", ", total.Select(p => p.Y.ToString("G3")))}");
        Assert.True(r.History.ContainsKey("tv"), "the recipe's total-variation term is part of the loss");
        using var file = Checkpoint.Load(dir.File("r.safetensors"));
        Assert.Equal("resnet18", file.Metadata["features"]);
    }

    [Fact]
    public void GramIsNormalisedByChannelsAndPositions()
    {
        using var scope = NewDisposeScope();
        var f = ones(1, 2, 3, 4);
        var g = FastStyleTrainer.Gram(f);
        Assert.True(g.allclose(full(1, 2, 2, 12.0f / 24)));
    }

    [Fact]
    public void AdaInDecoderTrainingLowersTheLoss()
    {
        using var dir = TestPaths.NewTempDir();
        WriteImages(dir.File("content"), 3, 24, 3);
        WriteImages(dir.File("style"), 3, 24, 4);
        manual_seed(5);
        using var encoder = Vgg.Normalised("relu4_1");
        var r = AdaInTrainer.Train(new AdaInTrainOptions
        {
            ContentDir = dir.File("content"), StyleDir = dir.File("style"), Output = dir.File("dec.safetensors"),
            LoadSize = 24, CropSize = 16, BatchSize = 2, Steps = 10, SampleEvery = 5, LearningRate = 1e-3, Seed = 3,
        }, encoder);
        var total = r.History["total"];
        Assert.True(total.TakeLast(3).Average(p => p.Y) < total.Take(3).Average(p => p.Y),
            $"loss did not fall: {string.Join(", ", total.Select(p => p.Y.ToString("G3")))}");
        Assert.True(File.Exists(Path.Combine(r.RunDirectory, "samples", "step_000010.png")));
        using var dec = AdaInDecoder.FromStateDict(Checkpoint.LoadStateDict(dir.File("dec.safetensors")), "dec"); // loadable by `style adain`
        Assert.Equal("relu4_1", dec.EncoderLayer);
        // The run's checkpoint (decoder.* beside Adam's state) loads as a decoder too.
        using var fromRun = AdaInStylizer.Load(Vgg.Normalised("relu4_1"), [Path.Combine(r.RunDirectory, "checkpoint.safetensors")]);
        Assert.Equal("relu4_1", fromRun.Decoders[0].EncoderLayer);
    }

    [Fact]
    public void AdaInDecoderForTheBuiltInResNet18TrainsAndStylisesThroughTheCli()
    {
        using var dir = TestPaths.NewTempDir();
        WriteImages(dir.File("content"), 3, 40, 5);
        WriteImages(dir.File("style"), 3, 40, 6);
        manual_seed(5);
        using var encoder = ResNetFeatures.BuiltIn();
        var r = AdaInTrainer.Train(new AdaInTrainOptions
        {
            ContentDir = dir.File("content"), StyleDir = dir.File("style"), Output = dir.File("dec.safetensors"),
            LoadSize = 40, CropSize = 32, BatchSize = 2, Steps = 12, SampleEvery = 12, LearningRate = 1e-3, Seed = 3,
        }, encoder);
        var total = r.History["total"];
        Assert.True(total.TakeLast(3).Average(p => p.Y) < total.Take(3).Average(p => p.Y),
            $"loss did not fall: {string.Join(", ", total.Select(p => p.Y.ToString("G3")))}");
        Assert.True(File.Exists(Path.Combine(r.RunDirectory, "samples", "step_000012.png")));

        // The decoder says what it inverts; the output and the run checkpoint both load with the built-in ResNet-18.
        using (var file = Checkpoint.Load(dir.File("dec.safetensors")))
        {
            Assert.Equal("resnet18", file.Metadata["encoder"]);
            Assert.Equal("layer2.1", file.Metadata["encoder_layer"]);
        }
        foreach (var path in new[] { dir.File("dec.safetensors"), Path.Combine(r.RunDirectory, "checkpoint.safetensors") })
        {
            using var stylizer = AdaInStylizer.LoadBuiltIn([path], () => throw new InvalidOperationException("a VGG was asked for"));
            Assert.IsType<ResNetFeatures>(stylizer.Encoder);
            Assert.Equal((128, 3), (stylizer.Decoders[0].InputChannels, stylizer.Decoders[0].Upsamplings));
        }

        // `style adain` picks the encoder from the decoder: any size in, that size out.
        var content = Path.Combine(dir.File("content"), "img0.png");
        var output = dir.File("styled.png");
        ImageIO.Save(ImageResize.Resize(ImageIO.Load(content), 37, 29), content);
        var cli = Cli.CliHarness.Run("style", "adain", content, "--style", Path.Combine(dir.File("style"), "img1.png"),
            "--decoder", dir.File("dec.safetensors"), "-o", output, "--alpha", "0.7");
        Assert.True(cli.ExitCode == 0, cli.Err);
        Assert.DoesNotContain("seeded random normalised VGG", cli.Err);
        var styled = ImageIO.Load(output);
        Assert.Equal((37, 29), (styled.Width, styled.Height));
    }
}

/// <summary>Training tests rely on torch's global RNG for weight initialisation: keep other tests from reseeding it meanwhile.</summary>
[CollectionDefinition("StyleTrainingSerial", DisableParallelization = true)]
public class StyleTrainingSerialCollection { }
