using System.Text.Json;
using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Style;
using Atelier.Translation;
using Atelier.Tests.Imaging;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Cli;

/// <summary>
/// Folder runs report the same way whether the method batches its pictures (fast style) or runs them one by one
/// (translation): one JSON shape, the unreadable picture named among the items, exit 1.
/// </summary>
public class FolderRunReportTests
{

    [Fact]
    public void BatchedAndOneByOneFolderRunsGiveOneReport()
    {
        using var dir = TestPaths.NewTempDir();
        var input = Directory.CreateDirectory(dir.File("in")).FullName;
        ImageIO.Save(TestImages.Noise(24, 16, 1), Path.Combine(input, "a.png"));
        ImageIO.Save(TestImages.Noise(28, 20, 2), Path.Combine(input, "b.png"));
        File.WriteAllText(Path.Combine(input, "broken.png"), "not a png");

        manual_seed(21);
        var style = dir.File("style.safetensors");
        using (var net = new TransformerNet()) SafeTensors.Save(style, net.state_dict());
        var generator = dir.File("G.safetensors");
        using (var g = GeneratorSpec.Parse("resnet_2blocks", ngf: 4, norm: NormKind.Instance).Build()) SafeTensors.Save(generator, g.state_dict());

        var runs = new[]
        {
            CliHarness.Run("fast-style", "stylize", input, "--model", style, "-o", dir.File("styled"), "--json"),
            CliHarness.Run("cyclegan", "translate", input, "--model", generator, "-o", dir.File("translated"), "--json", "--seed", "3"),
        };
        var keys = new List<string[]>();
        foreach (var r in runs)
        {
            Assert.True(r.ExitCode == 1, r.Err); // one picture could not be read
            Assert.Contains("broken.png", r.Err);
            using var report = JsonDocument.Parse(r.Out);
            var root = report.RootElement;
            Assert.True(root.GetProperty("done").GetInt32() == 2, r.Err + r.Out);
            Assert.Equal(1, root.GetProperty("failed").GetInt32());
            var items = root.GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(["a.png", "b.png", "broken.png"], items.Select(i => Path.GetFileName(i.GetProperty("input").GetString())));
            Assert.False(items[2].TryGetProperty("output", out var none) && none.ValueKind != JsonValueKind.Null, "a skipped picture has no output");
            Assert.False(string.IsNullOrEmpty(items[2].GetProperty("error").GetString()));
            Assert.False(items[0].TryGetProperty("error", out var ok) && ok.ValueKind != JsonValueKind.Null, "a written picture has no error");
            var written = ImageIO.Load(items[1].GetProperty("output").GetString()!);
            Assert.Equal((28, 20), (written.Width, written.Height));
            Assert.True(root.GetProperty("seconds").GetDouble() >= 0);
            keys.Add([.. root.EnumerateObject().Select(p => p.Name).Where(n => n is "command" or "method" or "inputs" or "output" or "done" or "failed" or "items" or "seconds")]);
        }
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal(8, keys[0].Length);
    }
}
