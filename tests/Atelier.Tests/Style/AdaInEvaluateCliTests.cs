using System.Text.Json;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Quality;
using Atelier.Style;
using Atelier.Tests.Cli;
using Atelier.Tests.Imaging;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Style;

/// <summary>`adain evaluate`: every held-out picture with every style, the per-style means, and the reconstruction PSNR through encoder and decoder.</summary>
public class AdaInEvaluateCliTests
{
    [Fact]
    public void ScoresEachPictureWithEachStyleAndMeasuresTheReconstruction()
    {
        using var dir = TestPaths.NewTempDir();
        var pictures = Directory.CreateDirectory(dir.File("pictures")).FullName;
        for (int i = 0; i < 2; i++) ImageIO.Save(TestImages.Noise(32, 32, i + 1), Path.Combine(pictures, $"p{i}.png"));
        var styles = Directory.CreateDirectory(dir.File("styles")).FullName;
        ImageIO.Save(ProceduralSamples.Make("bricks", 48, 1), Path.Combine(styles, "bricks.png"));
        ImageIO.Save(ProceduralSamples.Make("weave", 48, 1), Path.Combine(styles, "weave.png"));
        var decoder = dir.File("dec.safetensors");
        var r = CliHarness.Run("--seed", "1", "adain", "train", "--content-dir", pictures, "--style-dir", styles, "-o", decoder,
            "--steps", "1", "--load-size", "32", "--crop-size", "32", "--batch-size", "1", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);

        var grid = dir.File("grid.png");
        r = CliHarness.Run("--json", "adain", "evaluate", "--decoder", decoder, "--style", Path.Combine(styles, "bricks.png"), "--style", Path.Combine(styles, "weave.png"),
            "--images", pictures, "--size", "32", "--gatys-steps", "0", "-o", grid);
        Assert.True(r.ExitCode == 0, r.Err);
        var json = JsonDocument.Parse(r.Out).RootElement;
        var rows = json.GetProperty("perPicture").EnumerateArray().ToList();
        Assert.Equal(4, rows.Count); // 2 pictures x 2 styles
        foreach (var style in json.GetProperty("perStyle").EnumerateArray())
        {
            var name = style.GetProperty("style").GetString();
            var mine = rows.Where(x => x.GetProperty("style").GetString() == name).Select(x => x.GetProperty("networkStyle").GetDouble()).ToList();
            Assert.Equal(2, mine.Count);
            Assert.Equal(mine.Average(), style.GetProperty("network").GetProperty("style").GetDouble(), 9);
            Assert.True(mine.All(d => d > 0 && double.IsFinite(d)));
        }
        // The reconstruction is the picture as its own style: recomputed here through the library.
        using var stylizer = AdaInStylizer.LoadBuiltIn([decoder], () => throw new InvalidOperationException("a ResNet-18 decoder"));
        var psnr = new PeakSignalToNoiseRatio();
        var expected = Enumerable.Range(0, 2).Select(i =>
        {
            var x = ImageIO.Load(Path.Combine(pictures, $"p{i}.png"));
            return psnr.Compare(stylizer.Stylize(x, x), x);
        }).Average();
        Assert.Equal(expected, json.GetProperty("reconstruction").GetProperty("psnr").GetDouble(), 3);
        var sheet = ImageIO.Load(grid);
        Assert.True(sheet.Width > 4 * 32, $"a row is picture, reconstruction and two styles: {sheet.Width} px wide");

        // A style file that is not there is named.
        r = CliHarness.Run("adain", "evaluate", "--decoder", decoder, "--style", dir.File("missing.jpg"), "--images", pictures);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("missing.jpg", r.Err);
    }
}
