using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.StyleGan;
using Atelier.Tests.Cli;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Tests.StyleGan;

/// <summary>The stylegan, invert and edit commands on a tiny random 16 px generator saved as a checkpoint.</summary>
public sealed class StyleGanCliTests : IDisposable
{
    readonly TempDir dir = TestPaths.NewTempDir();
    readonly string checkpoint;
    readonly Generator generator;

    public StyleGanCliTests()
    {
        generator = InversionTests.TinyGenerator(channels: 8);
        checkpoint = dir.File("tiny.safetensors");
        var sd = generator.state_dict().ToDictionary(kv => "g_ema." + kv.Key, kv => kv.Value);
        SafeTensors.Save(checkpoint, sd);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void GenerateWritesSeedImagesThatMatchTheLibrary()
    {
        var outDir = dir.File("out");
        var r = CliHarness.Run("stylegan", "generate", "-c", checkpoint, "--seeds", "3-4,9", "-o", outDir, "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(new[] { "seed0003.png", "seed0004.png", "seed0009.png" }, Directory.GetFiles(outDir).Select(Path.GetFileName).Order().ToArray());
        var img = ImageIO.Load(Path.Combine(outDir, "seed0009.png"));
        Assert.Equal((16, 16), (img.Width, img.Height));

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var expected = ImageTensors.FromTensor(generator.Generate(SeedList.Z(9, generator.StyleDim), LatentSpace.Z).clamp(-1, 1), ValueRange.MinusOneOne);
        double maxDiff = expected.Data.Zip(img.Data, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1.0 / 255 + 1e-6, $"CLI image differs from the library's by {maxDiff}");

        // A grid output and the truncation path (mean w cached in the model cache, keyed by the checkpoint's bytes).
        var grid = dir.File("grid.png");
        var cached = MeanLatent.CachePath(Path.GetFullPath(checkpoint), MeanLatent.DefaultSamples);
        if (File.Exists(cached)) File.Delete(cached); // an earlier run's (the tests' cache outlives them)
        r = CliHarness.Run("stylegan", "generate", "-c", checkpoint, "--seeds", "1-4", "--truncation", "0.5", "-o", grid, "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.True(File.Exists(grid));
        Assert.True(File.Exists(cached));
        Assert.StartsWith(Atelier.Models.ModelStore.Current.Cache.DerivedFolder, cached);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, "*mean_w*")); // nothing beside the checkpoint
    }

    [Fact]
    public void GenerateFromAWPlusLatentFile()
    {
        using var scope = NewDisposeScope();
        var latents = dir.File("codes.safetensors");
        var wplus = randn(2, generator.NLatent, generator.StyleDim) * 0.5f;
        LatentFile.Save(latents, wplus, LatentSpace.WPlus, generator);
        var outDir = dir.File("from_wplus");
        var r = CliHarness.Run("stylegan", "generate", "-c", checkpoint, "--latents", latents, "--space", "w+", "-o", outDir, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"count\":2", r.Out);
        // The same file read as w codes is refused with the reason.
        r = CliHarness.Run("stylegan", "generate", "-c", checkpoint, "--latents", latents, "--space", "w", "-o", outDir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("use --space w+", r.Err);
    }

    [Fact]
    public void MixGridAndBadLayerRanges()
    {
        var grid = dir.File("mix.png");
        var r = CliHarness.Run("stylegan", "mix", "-c", checkpoint, "--rows", "1,2", "--cols", "3,4,5", "--layers", "coarse", "-o", grid, "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        var img = ImageIO.Load(grid);
        Assert.True(img.Width >= 4 * 16 && img.Height >= 3 * 16, $"a 4 x 3 grid of 16 px cells, got {img.Width}x{img.Height}");

        r = CliHarness.Run("stylegan", "mix", "-c", checkpoint, "--rows", "1", "--cols", "2", "--layers", "4-9", "-o", grid);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("0 <= i <= j <= 5", r.Err);
        r = CliHarness.Run("stylegan", "mix", "-c", checkpoint, "--rows", "1", "--cols", "2", "--layers", "fine", "-o", grid);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no fine layers", r.Err);
    }

    [Fact]
    public void MixAndGenerateTakeTheStudiosSeedsCountAndCrossoverToo()
    {
        var grid = dir.File("mix-crossover.png");
        var r = CliHarness.Run("stylegan", "mix", "-c", checkpoint, "--row-seed", "5", "--count", "2", "--crossover", "3", "-o", grid, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"fromColumns\":\"0-2\"", r.Out);
        Assert.Contains("\"rows\":[5,6]", r.Out);
        Assert.Contains("\"cols\":[100,101]", r.Out);
        // Beyond the tiny generator's 6 latents the crossover is refused, naming its flag.
        r = CliHarness.Run("stylegan", "mix", "-c", checkpoint, "--crossover", "6", "-o", grid);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--crossover 6", r.Err);

        // Without --seeds: --count images from the run's --seed, one file each.
        var outDir = dir.File("counted");
        r = CliHarness.Run("stylegan", "generate", "-c", checkpoint, "--seed", "7", "--count", "2", "-o", outDir, "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(new[] { "seed0007.png", "seed0008.png" }, Directory.GetFiles(outDir).Select(Path.GetFileName).Order().ToArray());
    }

    [Fact]
    public void CrossoverAndExpressionTakeSeedsAndLatentFilesAsCodes()
    {
        var latent = dir.File("codes.safetensors");
        using (var scope = NewDisposeScope())
        using (no_grad())
            LatentFile.Save(latent, generator.Broadcast(generator.SeedW(5)), LatentSpace.WPlus, generator);
        var r = CliHarness.Run("stylegan", "crossover", "-c", checkpoint, "--shallow", latent, "--deep", "2", "--split", "3", "-o", dir.File("file.png"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"split\":3", r.Out);
        Assert.Contains("\"shallow\":\"codes.safetensors\"", r.Out);
        // A file holding seed 5's code is the same code as the seed.
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var fromFile = LatentSource.Parse(latent, "Shallow").WPlus(generator, LatentSpace.WPlus, "Shallow");
            var fromSeed = LatentSource.Parse("5", "Shallow").WPlus(generator, LatentSpace.WPlus, "Shallow");
            Assert.True(fromFile.allclose(fromSeed), "a latent file of seed 5's code differs from seed 5");
        }

        r = CliHarness.Run("stylegan", "crossover", "-c", checkpoint, "--shallow", dir.File("nope.safetensors"), "-o", dir.File("x.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--shallow", r.Err);
        Assert.Contains("neither a seed nor an existing latent file", r.Err);

        // The expression's strength changes the edited cell only.
        r = CliHarness.Run("stylegan", "expression", "-c", checkpoint, "--base", "1", "--neutral", "2", "--expressive", "3", "--strength", "0", "-o", dir.File("e0.png"), "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        r = CliHarness.Run("stylegan", "expression", "-c", checkpoint, "--base", "1", "--neutral", "2", "--expressive", "3", "--strength", "2", "-o", dir.File("e2.png"), "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.NotEqual(ImageIO.Load(dir.File("e0.png")).Data, ImageIO.Load(dir.File("e2.png")).Data);
    }

    [Fact]
    public void ACheckpointWithoutAGeneratorIsRefused()
    {
        using var scope = NewDisposeScope();
        var path = dir.File("other.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["encoder.weight"] = zeros(2, 2) });
        var r = CliHarness.Run("stylegan", "generate", "-c", path, "--seeds", "1", "-o", dir.File("x"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no StyleGAN2 generator", r.Err);
    }

    [Fact]
    public void InvertWritesALatentThatReproducesTheReconstruction()
    {
        var target = dir.File("target.png");
        using (var scope = NewDisposeScope())
        using (no_grad())
            ImageIO.Save(StyleMixing.ToImage(generator.Generate(SeedList.Z(11, generator.StyleDim), LatentSpace.Z)), target);
        var latent = dir.File("inv.safetensors");
        var r = CliHarness.Run("invert", target, "-c", checkpoint, "--steps", "30", "--no-perceptual", "--space", "w", "-o", latent, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"psnr\":", r.Out);
        Assert.True(File.Exists(dir.File("inv.png")));
        using (var scope = NewDisposeScope())
        {
            var w = LatentFile.Load(latent, LatentSpace.W, generator);
            Assert.Equal(new long[] { 1, generator.StyleDim }, w.shape);
        }

        // Wrong size with --no-resize is refused; without it the image is resized with a note.
        var big = dir.File("big.png");
        ImageIO.Save(new Image(20, 24, 3), big);
        r = CliHarness.Run("invert", big, "-c", checkpoint, "--steps", "1", "--no-perceptual", "--no-resize", "-o", latent);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("20x24", r.Err);
        r = CliHarness.Run("invert", big, "-c", checkpoint, "--steps", "2", "--no-perceptual", "-o", latent);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("resized to 16x16", r.Err);

        // The perceptual loss runs on the built-in ResNet-18 unless another network is named; the result says which.
        r = CliHarness.Run("invert", target, "-c", checkpoint, "--steps", "3", "--space", "w", "-o", latent, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"features\":\"resnet18\"", r.Out);
        r = CliHarness.Run("invert", target, "-c", checkpoint, "--steps", "3", "--space", "w", "-o", latent, "--json", "--features", "vgg19-random");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"features\":\"vgg19-random\"", r.Out);
    }

    [Fact]
    public void MorphWritesItsFramesTheirAnimationAndOneBlend()
    {
        // A strip into a folder: frame by frame, the first and last being the two seeds' images; and the GIF.
        var frames = dir.File("frames");
        var gif = dir.File("morph.gif");
        var r = CliHarness.Run("stylegan", "morph", "-c", checkpoint, "--from", "3", "--to", "9", "--frames", "5", "-o", frames, "--gif", gif, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"frame{i:D3}.png"), Directory.GetFiles(frames).Select(Path.GetFileName).Order());
        Assert.Contains("\"gif\":", r.Out);
        var header = File.ReadAllBytes(gif);
        Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(header, 0, 6));

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Image Seed(long seed) => ImageTensors.FromTensor(generator.Generate(SeedList.Z(seed, generator.StyleDim), LatentSpace.Z).clamp(-1, 1), ValueRange.MinusOneOne);
        static double MaxDiff(Image a, Image b) => a.Data.Zip(b.Data, (x, y) => Math.Abs(x - y)).Max();
        var (first, last, middle) = (ImageIO.Load(Path.Combine(frames, "frame000.png")), ImageIO.Load(Path.Combine(frames, "frame004.png")), ImageIO.Load(Path.Combine(frames, "frame002.png")));
        Assert.True(MaxDiff(first, Seed(3)) <= 1.0 / 255 + 1e-6, "l = 1 is the first code's image");
        Assert.True(MaxDiff(last, Seed(9)) <= 1.0 / 255 + 1e-6, "l = 0 is the second code's image");
        Assert.True(MaxDiff(middle, Seed(3)) > 0.02 && MaxDiff(middle, Seed(9)) > 0.02, "the middle frame is neither code's image");

        // One frame: the blend at the given l, between the two codes (a three-picture sheet).
        r = CliHarness.Run("stylegan", "morph", "-c", checkpoint, "--from", "3", "--to", "9", "--frames", "1", "--lambda", "0.5", "-o", dir.File("blend"), "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(3, Directory.GetFiles(dir.File("blend")).Length);
        Assert.True(MaxDiff(ImageIO.Load(Path.Combine(dir.File("blend"), "frame001.png")), middle) <= 1.0 / 255 + 1e-6, "the blend at l = 0.5 is the strip's middle frame");

        r = CliHarness.Run("stylegan", "morph", "-c", checkpoint, "--from", "3", "--to", "9", "-o", dir.File("m.png"), "--gif", dir.File("m.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--gif", r.Err);
        r = CliHarness.Run("stylegan", "morph", "-c", checkpoint, "--from", "3", "--to", "9", "--lambda", "2", "-o", dir.File("m.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--lambda", r.Err);
    }

    [Fact]
    public void EditsRunAndValidateTheirArguments()
    {
        var strip = dir.File("morph.png");
        var r = CliHarness.Run("edit", "morph", "-c", checkpoint, "--from", "1", "--to", "2", "--frames", "4", "-o", strip, "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.True(File.Exists(strip));

        r = CliHarness.Run("edit", "crossover", "-c", checkpoint, "--shallow", "1", "--deep", "2", "--split", "9", "-o", dir.File("c.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--split 9", r.Err);
        r = CliHarness.Run("edit", "expression", "-c", checkpoint, "--base", "1", "--neutral", "2", "--expressive", "3", "-o", dir.File("e.png"), "-q");
        Assert.True(r.ExitCode == 0, r.Err);

        var low = dir.File("low.png");
        ImageIO.Save(new Image(4, 4, 3), low);
        r = CliHarness.Run("edit", "superres", low, "-c", checkpoint, "--factor", "4", "--steps", "3", "--no-perceptual", "-o", dir.File("sr.png"), "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(16, ImageIO.Load(dir.File("sr.png")).Width);
        r = CliHarness.Run("edit", "inpaint", low, "-c", checkpoint, "-o", dir.File("ip.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--mask", r.Err);
    }

    [Fact]
    public void EvaluateInvertsHeldOutPicturesInEachSpaceAndReportsTheirPsnr()
    {
        // Two of the generator's own pictures, which w+ can reach.
        var held = dir.File("held");
        Directory.CreateDirectory(held);
        using (var scope = NewDisposeScope())
        using (var noGrad = no_grad())
            foreach (var seed in new[] { 5, 6 })
                ImageIO.Save(ImageTensors.FromTensor(generator.Generate(SeedList.Z(seed, generator.StyleDim), LatentSpace.Z).clamp(-1, 1), ValueRange.MinusOneOne),
                    Path.Combine(held, $"seed{seed}.png"));
        var grid = dir.File("eval.png");
        var r = CliHarness.Run("--json", "--seed", "1", "stylegan", "evaluate", "-m", checkpoint, "--images", held, "--steps", "60", "--spaces", "w, w+", "--pixel-only", "-o", grid);
        Assert.True(r.ExitCode == 0, r.Err);
        using var json = System.Text.Json.JsonDocument.Parse(r.Out);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("pictures").GetInt32());
        var spaces = root.GetProperty("spaces").EnumerateArray().ToDictionary(e => e.GetProperty("space").GetString()!, e => e.GetProperty("psnr").GetDouble());
        Assert.Equal(["w", "w+"], spaces.Keys.Order(StringComparer.Ordinal));
        // 60 steps bring both spaces well above where they start (the mean w: one step), w+ at least as far as w, give or take.
        var start = CliHarness.Run("--json", "--seed", "1", "stylegan", "evaluate", "-m", checkpoint, "--images", held, "--steps", "1", "--spaces", "w+", "--pixel-only");
        Assert.True(start.ExitCode == 0, start.Err);
        using var startJson = System.Text.Json.JsonDocument.Parse(start.Out);
        double startPsnr = startJson.RootElement.GetProperty("spaces")[0].GetProperty("psnr").GetDouble();
        Assert.True(spaces["w+"] > startPsnr + 3 && spaces["w"] > startPsnr + 2, $"w+ {spaces["w+"]}, w {spaces["w"]} dB after 60 steps; {startPsnr} dB after one");
        Assert.True(spaces["w+"] >= spaces["w"] - 1, $"w+ {spaces["w+"]} against w {spaces["w"]}");
        var per = root.GetProperty("perPicture").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal(["seed5", "seed6"], per);
        // Grid: two rows of picture, w, w+ (16 px cells enlarged to 64).
        var sheet = ImageIO.Load(grid);
        Assert.True(sheet.Width >= 3 * 64 && sheet.Height >= 2 * 64, $"grid {sheet.Width}x{sheet.Height}");

        // --count spreads over the folder; bad values name their option.
        r = CliHarness.Run("--json", "stylegan", "evaluate", "-m", checkpoint, "--images", held, "--count", "1", "--steps", "2", "--spaces", "w", "--pixel-only");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"pictures\":1", r.Out);
        r = CliHarness.Run("stylegan", "evaluate", "-m", checkpoint, "--images", held, "--spaces", "q");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--spaces", r.Err);
        r = CliHarness.Run("stylegan", "evaluate", "-m", checkpoint, "--images", dir.File("nowhere"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--images", r.Err);
    }
}
