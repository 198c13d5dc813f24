using System.Text.Json;
using Atelier.Checkpoints;
using Atelier.Tests.Cli;
using Xunit;

namespace Atelier.Tests.Checkpoints;

public class CheckpointCommandTests
{
    static string F(string name) => TestPaths.Fixture("checkpoints", name);

    [Fact]
    public void InspectJsonListsTensorsTotalsAndPlainValues()
    {
        var r = CliHarness.Run("checkpoint", "inspect", F("gan_namespace.pt"), "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("TorchZip", root.GetProperty("format").GetString());
        using var ckpt = Checkpoint.Load(F("gan_namespace.pt"));
        Assert.Equal(ckpt.Count, root.GetProperty("tensors").GetInt32());
        Assert.Equal(ckpt.Values.Sum(t => t.numel()), root.GetProperty("totalParameters").GetInt64());
        var first = root.GetProperty("entries").EnumerateArray().First(e => e.GetProperty("name").GetString() == "g_ema.conv.weight");
        Assert.Equal("float16", first.GetProperty("dtype").GetString());
        Assert.Equal(new long[] { 3, 2, 3, 3 }, first.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()));
        Assert.Equal("ffhq", root.GetProperty("values").GetProperty("args").GetProperty("name").GetString());
    }

    [Fact]
    public void InspectHumanOutputIsATable()
    {
        var r = CliHarness.Run("checkpoint", "inspect", F("views.pth"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("architecture  unknown", r.Out);
        Assert.Matches(@"slice\s+\[2, 3\]\s+float32", r.Out);
        Assert.Contains("tensors       8,", r.Out);
    }

    [Fact]
    public void ConvertSelectsASubDictIntoSafeTensors()
    {
        using var dir = TestPaths.NewTempDir();
        var output = dir.File("g_ema.safetensors");
        var r = CliHarness.Run("checkpoint", "convert", F("gan_namespace.pt"), output, "--select", "g_ema", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(9, doc.RootElement.GetProperty("tensors").GetInt32()); // conv 2, bn 5 (with buffers), fc 2

        using var src = Checkpoint.Load(F("gan_namespace.pt"));
        using var converted = SafeTensors.Load(output);
        var expected = src.Select("g_ema");
        Assert.Equal(expected.Keys.OrderBy(k => k), converted.Tensors.Keys.OrderBy(k => k));
        foreach (var (k, t) in expected) TensorAssert.BitEqual(t, converted.Tensors[k], k);
        Assert.Equal("gan_namespace.pt", converted.Metadata["atelier.converted_from"]);
        Assert.Contains("ffhq", converted.Metadata["atelier.source_values"]);
    }

    [Theory]
    [InlineData("evil_os_system.pth")]
    [InlineData("huge_storage.pth")]
    [InlineData("truncated.pth")]
    public void HostileFilesFailWithOneLineAndExitCode1(string file)
    {
        File.Delete("/tmp/atelier_checkpoint_pwned_marker");
        var r = CliHarness.Run("checkpoint", "inspect", F(file));
        Assert.Equal(1, r.ExitCode);
        var lines = r.Err.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(file, lines[0]);
        Assert.False(File.Exists("/tmp/atelier_checkpoint_pwned_marker"));
    }

    [Fact]
    public void ConvertRefusesAnOutputThatIsNotSafeTensorsAndAMissingSelection()
    {
        using var dir = TestPaths.NewTempDir();
        Assert.Equal(2, CliHarness.Run("checkpoint", "convert", F("views.pth"), dir.File("x.pth")).ExitCode);
        var r = CliHarness.Run("checkpoint", "convert", F("gan_namespace.pt"), dir.File("x.safetensors"), "--select", "nope");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no tensors under 'nope'", r.Err);
        Assert.False(File.Exists(dir.File("x.safetensors")));
    }
}
