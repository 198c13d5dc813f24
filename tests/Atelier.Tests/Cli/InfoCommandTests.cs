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
}
