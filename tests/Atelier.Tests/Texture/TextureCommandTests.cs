using System.Text.Json;
using Atelier.Imaging;
using Atelier.Tests.Cli;
using Xunit;

namespace Atelier.Tests.Texture;

public class TextureCommandTests
{
    static string Save(TempDir dir, string name, Image image)
    {
        var path = dir.File(name);
        ImageIO.Save(image, path);
        return path;
    }

    [Theory]
    [InlineData("quilting", "--size", "160", "--block", "16")]
    [InlineData("efros-leung", "--size", "56", "--window", "7")]
    [InlineData("scanline", "--size", "96", "--window", "7", "--levels", "2")]
    [InlineData("optimize", "--size", "96", "--iterations", "2")]
    public void ThreadsAreHonouredAndDoNotChangeTheResult(string verb, params string[] options)
    {
        // The engines' searches run on --threads (the report says how many); the picture is the same on one or two.
        using var dir = TestPaths.NewTempDir();
        var sample = Save(dir, "sample.png", SyntheticTextures.Organic(48, 48, 3));
        var outputs = new List<byte[]>();
        foreach (var threads in new[] { 1, 2 })
        {
            var output = dir.File($"out{threads}.png");
            var r = CliHarness.Run(["--threads", $"{threads}", "texture", verb, sample, "-o", output, "--seed", "7", "--json", .. options]);
            Assert.True(r.ExitCode == 0, r.Err);
            using var doc = JsonDocument.Parse(r.Out);
            Assert.Equal(threads, doc.RootElement.GetProperty("threads").GetInt32());
            outputs.Add(File.ReadAllBytes(output));
        }
        Assert.Equal(outputs[0], outputs[1]);
    }

    [Theory]
    [InlineData("efros-leung", "--window", "5")]
    [InlineData("scanline", "--levels", "2")]
    [InlineData("quilting", "--block", "8")]
    public void SynthesizeWritesTheImageAndReportsJson(string method, string opt, string value)
    {
        using var dir = TestPaths.NewTempDir();
        var sample = Save(dir, "sample.png", SyntheticTextures.Organic(20, 20, 1));
        var output = dir.File("out.png");
        var extra = method == "scanline" ? new[] { opt, value, "--window", "5" } : new[] { opt, value };
        var r = CliHarness.Run(["texture", "synthesize", sample, "-o", output, "--size", "30x26", "--method", method, "--seed", "5", "--json", .. extra]);
        Assert.True(r.ExitCode == 0, r.Err);
        var img = ImageIO.Load(output);
        Assert.Equal((30, 26), (img.Width, img.Height));
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(method, doc.RootElement.GetProperty("method").GetString());
        Assert.Equal(30, doc.RootElement.GetProperty("width").GetInt32());
        Assert.Equal(26, doc.RootElement.GetProperty("height").GetInt32());
        Assert.True(doc.RootElement.GetProperty("seconds").GetDouble() >= 0);
        // The same seed gives the same file.
        var again = dir.File("again.png");
        Assert.Equal(0, CliHarness.Run(["texture", "synthesize", sample, "-o", again, "--size", "30x26", "--method", method, "--seed", "5", "--quiet", .. extra]).ExitCode);
        Assert.Equal(File.ReadAllBytes(output), File.ReadAllBytes(again));
    }

    [Fact]
    public void TileableAloneMeansBothAndThePreviewIsTheResultTiled()
    {
        using var dir = TestPaths.NewTempDir();
        var sample = Save(dir, "sample.png", ProceduralSamples.Make("pebbles", 32, 1));
        string output = dir.File("out.png"), tiles = dir.File("tiles.png");
        var r = CliHarness.Run("texture", "quilting", sample, "-o", output, "--size", "48x40", "--block", "12", "--tileable", "--preview-tiles", tiles, "--seed", "2", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using (var doc = JsonDocument.Parse(r.Out))
        {
            Assert.Equal("both", doc.RootElement.GetProperty("tileable").GetString());
            Assert.Equal(tiles, doc.RootElement.GetProperty("previewTiles").GetString());
        }
        var image = ImageIO.Load(output);
        Assert.Equal(ImageOps.Tile(image, 2, 2).Data, ImageIO.Load(tiles).Data);
        var library = Atelier.Texture.Quilting.Synthesize(ImageIO.Load(sample), 48, 40,
            new Atelier.Texture.QuiltingOptions { Block = 12, Tileable = TileAxes.Both }, seed: 2);
        Assert.Equal(library.Data, image.Data);

        foreach (var (args, expected) in new[] { (new[] { "--tileable", "x" }, "x"), (new[] { "--tileable", "none" }, "none"), (Array.Empty<string>(), "none") })
        {
            var run = CliHarness.Run(["texture", "efros-leung", sample, "-o", dir.File("el.png"), "--size", "16", "--window", "5", "--approximate", "--seed", "1", "--json", .. args]);
            Assert.True(run.ExitCode == 0, run.Err);
            using var doc = JsonDocument.Parse(run.Out);
            Assert.Equal(expected, doc.RootElement.GetProperty("tileable").GetString());
        }
    }

    [Fact]
    public void TileableMistakesAreOneLineUsageErrors()
    {
        using var dir = TestPaths.NewTempDir();
        var sample = Save(dir, "sample.png", ProceduralSamples.Make("pebbles", 32, 1));
        var narrow = CliHarness.Run("texture", "quilting", sample, "-o", dir.File("o.png"), "--size", "40x200", "--block", "24", "--tileable", "x");
        Assert.Equal(2, narrow.ExitCode);
        Assert.Contains("--size 40x200: a tileable width must hold at least two blocks", narrow.Err);
        Assert.Contains("--block", narrow.Err);
        var same = CliHarness.Run("texture", "scanline", sample, "-o", dir.File("o.png"), "--preview-tiles", dir.File("o.png"), "--tileable");
        Assert.Equal(2, same.ExitCode);
        Assert.Contains("--preview-tiles", same.Err);
        // Alone, it takes the next word: before the sample's path, that is a mistake it names.
        var swallowed = CliHarness.Run("texture", "quilting", "--tileable", sample, "-o", dir.File("o.png"));
        Assert.Equal(2, swallowed.ExitCode);
        Assert.Contains($"--tileable '{sample}': expected none, x, y, both (alone it means both; put it after the sample)", swallowed.Err);
    }

    [Fact]
    public void ApproximateModeSaysSo()
    {
        using var dir = TestPaths.NewTempDir();
        var sample = Save(dir, "sample.png", SyntheticTextures.Organic(20, 20, 1));
        var r = CliHarness.Run("texture", "synthesize", sample, "-o", dir.File("o.png"), "--size", "24x24", "--window", "5", "--approximate", "--seed", "1", "--json", "--metrics");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.False(doc.RootElement.GetProperty("exact").GetBoolean());
        Assert.Contains("approximate", doc.RootElement.GetProperty("note").GetString());
        Assert.InRange(doc.RootElement.GetProperty("coherence").GetDouble(), 0, 0.2);
    }

    [Fact]
    public void FillKeepsUnmaskedPixelsAndTransferWrites()
    {
        using var dir = TestPaths.NewTempDir();
        var image = SyntheticTextures.Checkerboard(24, 24, 2, channels: 3);
        var mask = new Image(24, 24, 1);
        for (int y = 8; y < 14; y++) for (int x = 9; x < 15; x++) mask[0, y, x] = 1;
        var imgPath = Save(dir, "img.png", image);
        var maskPath = Save(dir, "mask.png", mask);
        var outPath = dir.File("filled.png");
        var r = CliHarness.Run("texture", "fill", imgPath, "--mask", maskPath, "-o", outPath, "--engine", "efros-leung", "--window", "5", "--seed", "2", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var before = ImageIO.Load(imgPath);
        var after = ImageIO.Load(outPath);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 24; x++)
                    if (mask[0, y, x] == 0) Assert.Equal(before[c, y, x], after[c, y, x]);
        Assert.Equal(before.Data, after.Data); // and the periodic hole is restored exactly
        Assert.Equal(36, JsonDocument.Parse(r.Out).RootElement.GetProperty("filledPixels").GetInt32());

        var tr = dir.File("transfer.png");
        var t = CliHarness.Run("texture", "transfer", "--texture", Save(dir, "tex.png", SyntheticTextures.Organic(20, 20, 3)),
            "--target", imgPath, "-o", tr, "--block", "8", "--iterations", "2", "--seed", "1", "--quiet");
        Assert.True(t.ExitCode == 0, t.Err);
        Assert.Equal(24, ImageIO.Load(tr).Width);

        // The optimisation engine: the target's size, and the quilting engine's settings refused.
        var to = dir.File("transfer-optimised.png");
        t = CliHarness.Run("texture", "transfer", "--texture", dir.File("tex.png"), "--target", imgPath, "-o", to, "--engine", "optimise", "--patch", "5", "--alpha", "0.3", "--seed", "1", "--quiet");
        Assert.True(t.ExitCode == 0, t.Err);
        Assert.Equal((24, 24), (ImageIO.Load(to).Width, ImageIO.Load(to).Height));
        var bad = CliHarness.Run("texture", "transfer", "--texture", dir.File("tex.png"), "--target", imgPath, "-o", dir.File("x.png"), "--engine", "optimise", "--block", "8");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--block", bad.Err);
        Assert.Contains("--engine", bad.Err);
    }

    [Fact]
    public void FillOptimisesByDefaultGrowsFromASideOnRequestAndRefusesTheOtherEnginesSettings()
    {
        using var dir = TestPaths.NewTempDir();
        var image = SyntheticTextures.Checkerboard(32, 32, 2, channels: 3);
        var mask = new Image(32, 32, 1);
        for (int y = 10; y < 20; y++) for (int x = 11; x < 21; x++) mask[0, y, x] = 1;
        var imgPath = Save(dir, "img.png", image);
        var maskPath = Save(dir, "mask.png", mask);
        var outPath = dir.File("filled.png");

        var r = CliHarness.Run("texture", "fill", imgPath, "--mask", maskPath, "-o", outPath, "--patch", "5", "--seed", "2", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal("optimise", JsonDocument.Parse(r.Out).RootElement.GetProperty("engine").GetString());
        Assert.Equal(ImageIO.Load(imgPath).Data, ImageIO.Load(outPath).Data); // a periodic hole comes back exactly

        // Growing from the top with a refinement pass restores it too (every match is exact).
        File.Delete(outPath);
        r = CliHarness.Run("texture", "fill", imgPath, "--mask", maskPath, "-o", outPath, "--engine", "efros-leung", "--window", "5",
            "--order", "top", "--passes", "1", "--seed", "2", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(ImageIO.Load(imgPath).Data, ImageIO.Load(outPath).Data);

        // A setting of the engine not chosen is refused, not ignored.
        File.Delete(outPath);
        foreach (var (option, value) in new[] { ("--window", "5"), ("--order", "left"), ("--passes", "2") })
        {
            var bad = CliHarness.Run("texture", "fill", imgPath, "--mask", maskPath, "-o", outPath, option, value);
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains(option, bad.Err);
            Assert.Contains("--engine", bad.Err);
            Assert.False(File.Exists(outPath));
        }
        var wrong = CliHarness.Run("texture", "fill", imgPath, "--mask", maskPath, "-o", outPath, "--engine", "efros-leung", "--iterations", "4");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--iterations", wrong.Err);
    }

    public static TheoryData<string[], int, string> BadInputs => new()
    {
        { ["--size", "0x10"], 2, "--size" },
        { ["--size", "9000x9000"], 2, "--size" },
        { ["--size", "abc"], 2, "--size" },
        { ["--size", "30x30", "--window", "4"], 2, "--window" },
        { ["--size", "30x30", "--window", "25"], 2, "--window" },
        { ["--size", "30x30", "--method", "quilting", "--block", "40"], 2, "--block" },
        { ["--size", "30x30", "--method", "quilting", "--block", "8", "--overlap", "8"], 2, "--overlap" },
        { ["--size", "30x30", "--method", "nope"], 2, "--method" },
        { ["--size", "30x30", "--method", "scanline", "--window", "5", "--levels", "5"], 2, "--levels" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadSynthesizeInputIsOneClearErrorAndWritesNothing(string[] args, int code, string names)
    {
        using var dir = TestPaths.NewTempDir();
        var sample = Save(dir, "sample.png", SyntheticTextures.Organic(20, 20, 1));
        var output = dir.File("out.png");
        var r = CliHarness.Run(["texture", "synthesize", sample, "-o", output, .. args]);
        Assert.Equal(code, r.ExitCode);
        Assert.Contains(names, r.Err);
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary left behind either
    }

    [Fact]
    public void MissingSampleNamesTheFile()
    {
        using var dir = TestPaths.NewTempDir();
        var r = CliHarness.Run("texture", "synthesize", dir.File("nope.png"), "-o", dir.File("o.png"), "--size", "20x20");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("nope.png", r.Err);
    }

    [Fact]
    public void BadMasksAreOneClearErrorAndWriteNothing()
    {
        using var dir = TestPaths.NewTempDir();
        var img = Save(dir, "img.png", SyntheticTextures.Organic(20, 20, 1));
        var smaller = Save(dir, "small.png", new Image(19, 20, 1));
        var empty = Save(dir, "empty.png", new Image(20, 20, 1));
        var fullImage = new Image(20, 20, 1);
        Array.Fill(fullImage.Data, 1f);
        var full = Save(dir, "full.png", fullImage);
        var output = dir.File("out.png");
        foreach (var (mask, message) in new[] { (smaller, "small.png"), (empty, "no pixel"), (full, "whole image") })
        {
            var r = CliHarness.Run("texture", "fill", img, "--mask", mask, "-o", output, "--patch", "5");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("--mask", r.Err);
            Assert.Contains(message, r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
            Assert.False(File.Exists(output));
        }
        var even = CliHarness.Run("texture", "fill", img, "--mask", empty, "-o", output, "--engine", "efros-leung", "--window", "6");
        Assert.Equal(2, even.ExitCode);
        Assert.Contains("--window", even.Err);
    }
}
