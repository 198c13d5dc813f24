using System.Text.Json;
using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Cli;

/// <summary>`atelier metrics`: two pictures, two folders matched by name, two folders as sets, and the clear errors.</summary>
public class MetricsCommandTests
{
    static string Fixture(string name) => TestPaths.Fixture("quality", name);

    [Fact]
    public void TwoPicturesGiveThePairFiguresAndIdenticalOnesInfinitePsnr()
    {
        var r = CliHarness.Run("metrics", Fixture("noise_a.png"), Fixture("noise_b.png"), "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var f = doc.RootElement.GetProperty("figures");
        Assert.Equal(0.7626337329031373, f.GetProperty("ssim").GetDouble(), 4);
        Assert.Equal(21.995229811187933, f.GetProperty("psnr").GetDouble(), 4);
        Assert.True(f.GetProperty("featureDistance").GetDouble() > 0);

        var same = CliHarness.Run("metrics", Fixture("noise_a.png"), Fixture("noise_a.png"), "--json");
        using var sameDoc = JsonDocument.Parse(same.Out);
        Assert.Equal("Infinity", sameDoc.RootElement.GetProperty("figures").GetProperty("psnr").GetString());
        Assert.Equal(1, sameDoc.RootElement.GetProperty("figures").GetProperty("ssim").GetDouble(), 12);
        var human = CliHarness.Run("metrics", Fixture("noise_a.png"), Fixture("noise_a.png"));
        Assert.Contains("inf (same)", human.Out);
    }

    [Fact]
    public void FoldersAreMatchedByNameWithPerPairFiguresAndMeans()
    {
        using var dir = TestPaths.NewTempDir();
        var a = Directory.CreateDirectory(dir.File("out")).FullName;
        var b = Directory.CreateDirectory(dir.File("target")).FullName;
        foreach (var name in new[] { "noise", "blur" })
        {
            File.Copy(Fixture(name + "_a.png"), Path.Combine(a, name + ".png"));
            File.Copy(Fixture(name + "_b.png"), Path.Combine(b, name + ".png"));
        }
        var r = CliHarness.Run("metrics", a, b, "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var pairs = doc.RootElement.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(["blur", "noise"], pairs.Select(p => p.GetProperty("name").GetString()));
        double blur = pairs[0].GetProperty("figures").GetProperty("ssim").GetDouble(), noise = pairs[1].GetProperty("figures").GetProperty("ssim").GetDouble();
        Assert.Equal(0.825704486865833, blur, 4);
        Assert.Equal((blur + noise) / 2, doc.RootElement.GetProperty("means").GetProperty("ssim").GetDouble(), 10);

        // A picture without a namesake: one line naming it, nothing computed.
        File.Copy(Fixture("shift_a.png"), Path.Combine(a, "extra.png"));
        var unmatched = CliHarness.Run("metrics", a, b);
        Assert.Equal(1, unmatched.ExitCode);
        Assert.Contains($"only in {a}: extra", unmatched.Err);
        Assert.DoesNotContain("   at ", unmatched.Err);
    }

    [Fact]
    public void PicturesOfDifferentSizesAreRefusedNamingThemUnlessResized()
    {
        var r = CliHarness.Run("metrics", Fixture("blur_a.png"), Fixture("noise_a.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("blur_a.png: 40x40 against 32x24", r.Err);
        Assert.Contains("--resize", r.Err);
        Assert.Equal(0, CliHarness.Run("metrics", Fixture("blur_a.png"), Fixture("noise_a.png"), "--resize").ExitCode);
        var mixed = CliHarness.Run("metrics", Path.GetDirectoryName(Fixture("blur_a.png"))!, Fixture("noise_a.png"));
        Assert.Equal(2, mixed.ExitCode);
        Assert.Contains("compare two pictures or two folders", mixed.Err);
        Assert.Equal(1, CliHarness.Run("metrics", "/nonexistent-atelier.png", Fixture("noise_a.png")).ExitCode);
    }

    [Fact]
    public void DistGivesTheSetFiguresAndRefusesTooFewPictures()
    {
        using var dir = TestPaths.NewTempDir();
        var a = Directory.CreateDirectory(dir.File("a")).FullName;
        var b = Directory.CreateDirectory(dir.File("b")).FullName;
        int i = 0;
        foreach (var name in ProceduralSamples.Names)
            foreach (var seed in new[] { 1, 2 })
            {
                var p = ProceduralSamples.Make(name, 32, seed);
                ImageIO.Save(p, Path.Combine(a, $"{i}.png"));
                ImageIO.Save(p, Path.Combine(b, $"copy{i++}.png"));
            }
        var r = CliHarness.Run("--seed", "3", "metrics", "--dist", a, b, "--json", "--kid-subsets", "20");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(6, doc.RootElement.GetProperty("countA").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("fd").GetDouble(), 6);
        Assert.Equal(3, doc.RootElement.GetProperty("kidSubsetSize").GetInt32());
        Assert.True(doc.RootElement.GetProperty("kidStandardError").GetDouble() > 0);

        foreach (var f in Directory.GetFiles(b).Skip(3)) File.Delete(f);
        var few = CliHarness.Run("metrics", "--dist", a, b);
        Assert.Equal(1, few.ExitCode);
        Assert.Contains($"{b}: 3 pictures; the set figures (FD, KID) need at least 4 in each folder", few.Err);
        var files = CliHarness.Run("metrics", "--dist", Fixture("blur_a.png"), Fixture("blur_b.png"));
        Assert.Equal(2, files.ExitCode);
        Assert.Contains("--dist compares two folders", files.Err);
    }
}
