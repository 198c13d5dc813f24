using System.Text.Json;
using Atelier.Imaging;
using Atelier.StyleGan;
using Atelier.Tests.Cli;
using Xunit;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Tests.StyleGan;

/// <summary>The stylegan, invert, edit and checkpoint commands on NVlabs' tiny StyleGAN2-ADA snapshot (.pkl).</summary>
public sealed class NvlabsCliTests : IDisposable
{
    readonly TempDir dir = TestPaths.NewTempDir();
    readonly string pkl;

    public NvlabsCliTests()
    {
        // A copy in a temporary folder: a command that wrote beside its checkpoint would show there.
        pkl = dir.File("sg2ada_tiny.pkl");
        File.Copy(TestPaths.Fixture("nvlabs", "sg2ada_tiny.pkl"), pkl);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void GenerateAndMixTakeThePickle()
    {
        var outDir = dir.File("out");
        var r = CliHarness.Run("stylegan", "generate", "-c", pkl, "--seeds", "5", "--truncation", "0.7", "-o", outDir, "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        var img = ImageIO.Load(Path.Combine(outDir, "seed0005.png"));
        Assert.Equal((16, 16), (img.Width, img.Height));

        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var g = GeneratorLoader.Load(pkl);
            var wMean = MeanLatent.Get(g, pkl);
            var expected = ImageTensors.FromTensor(g.Generate(SeedList.Z(5, g.StyleDim), LatentSpace.Z, 0.7, wMean).clamp(-1, 1), ValueRange.MinusOneOne);
            double maxDiff = expected.Data.Zip(img.Data, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDiff <= 1.0 / 255 + 1e-6, $"CLI image differs from the library's by {maxDiff}");
        }
        // Truncation used the pickled w_avg: no mean w was estimated or cached.
        Assert.Equal(["sg2ada_tiny.pkl", "out"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).OrderDescending());

        var grid = dir.File("mix.png");
        r = CliHarness.Run("stylegan", "mix", "-c", pkl, "--rows", "1,2", "--cols", "3", "--layers", "coarse", "-o", grid, "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.True(File.Exists(grid));
    }

    [Fact]
    public void InvertAndEditsTakeThePickle()
    {
        var target = dir.File("target.png");
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var g = GeneratorLoader.Load(pkl);
            ImageIO.Save(StyleMixing.ToImage(g.Generate(SeedList.Z(11, g.StyleDim), LatentSpace.Z)), target);
        }
        var latent = dir.File("inv.safetensors");
        var r = CliHarness.Run("invert", target, "-c", pkl, "--steps", "5", "--no-perceptual", "--space", "w", "-o", latent, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"psnr\":", r.Out);
        Assert.True(File.Exists(latent));

        r = CliHarness.Run("stylegan", "generate", "-c", pkl, "--latents", latent, "--space", "w", "-o", dir.File("again"), "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        r = CliHarness.Run("edit", "morph", "-c", pkl, "--from", "1", "--to", "2", "--frames", "3", "-o", dir.File("morph.png"), "-q");
        Assert.True(r.ExitCode == 0, r.Err);
        r = CliHarness.Run("edit", "expression", "-c", pkl, "--base", "1", "--neutral", "2", "--expressive", "3", "-o", dir.File("e.png"), "-q");
        Assert.True(r.ExitCode == 0, r.Err);
    }

    [Fact]
    public void InspectRecognisesTheSnapshot()
    {
        var r = CliHarness.Run("checkpoint", "inspect", pkl, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("Pickle", root.GetProperty("format").GetString());
        Assert.Equal("NVlabs StyleGAN2-ADA generator (size 16, z_dim 16, w_dim 16, 2 mapping layers) in 'G_ema'", root.GetProperty("architecture").GetString());
        Assert.Equal("tiny.zip", root.GetProperty("values").GetProperty("training_set_kwargs").GetProperty("path").GetString());
    }

    [Fact]
    public void AHostilePickleIsRefusedInOneLine()
    {
        var r = CliHarness.Run("stylegan", "generate", "-c", TestPaths.Fixture("nvlabs", "hostile_unknown_class.pkl"), "--seeds", "1", "-o", dir.File("x"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("refused persistent class 'Backdoor'", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
    }
}
