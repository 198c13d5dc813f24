using System.Text.Json;
using Xunit;

namespace Atelier.Tests.Cli;

public class InfoCommandTests
{
    [Fact]
    public void InfoReportsLibTorchAndPatchState()
    {
        var r = CliHarness.Run("info", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.StartsWith("2.", doc.RootElement.GetProperty("libTorchVersion").GetString());
        Assert.Contains("cpu", doc.RootElement.GetProperty("devices").EnumerateArray().Select(e => e.GetString()));
        // On a libstdc++ without GLIBCXX_3.4.32 the build must have patched the library, else torch would not load.
        var lib = Atelier.Runtime.LibStdCxxCompat.FindSystemLibStdCxx();
        if (!Atelier.Runtime.LibStdCxxCompat.SystemHasNeededVersion(lib))
            Assert.True(doc.RootElement.GetProperty("compatPatch").GetBoolean());
    }

    [Fact]
    public void UnknownCommandIsAUsageError()
    {
        var r = CliHarness.Run("no-such-command");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no-such-command", r.Err);
    }

    [Fact]
    public void ImpossibleDeviceIsAUsageErrorNamingTheOption()
    {
        var r = CliHarness.Run("info", "--device", "tpu");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--device", r.Err);
    }

    [Fact]
    public void ThreadsAreBoundedByTheMachine()
    {
        var r = CliHarness.Run("--threads", "100000", "info");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--threads 100000: at most", r.Err);
        Assert.Equal(0, CliHarness.Run("--threads", "1", "info").ExitCode);
    }

    /// <summary>With --json a failure is an object on stdout too, not silence.</summary>
    [Fact]
    public void JsonFailuresAreAnObjectOnStdout()
    {
        var usage = CliHarness.Run("info", "--device", "tpu", "--json");
        Assert.Equal(2, usage.ExitCode);
        using (var doc = JsonDocument.Parse(usage.Out))
        {
            Assert.Contains("--device", doc.RootElement.GetProperty("error").GetString());
            Assert.Equal("usage", doc.RootElement.GetProperty("kind").GetString());
            Assert.Equal(2, doc.RootElement.GetProperty("exitCode").GetInt32());
        }
        var missing = CliHarness.Run("texture", "quilting", "/no/such/sample.png", "-o", "/tmp/x.png", "--json");
        Assert.Equal(1, missing.ExitCode);
        using (var doc = JsonDocument.Parse(missing.Out))
        {
            Assert.Contains("/no/such/sample.png", doc.RootElement.GetProperty("error").GetString());
            Assert.Equal("failure", doc.RootElement.GetProperty("kind").GetString());
        }
        var parse = CliHarness.Run("texture", "quilting", "--json");
        Assert.Equal(2, parse.ExitCode);
        Assert.Equal("usage", JsonDocument.Parse(parse.Out).RootElement.GetProperty("kind").GetString());
    }
}
