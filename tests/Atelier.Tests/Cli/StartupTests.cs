using System.Diagnostics;
using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Cli;

/// <summary>
/// Commands that never need libtorch start without loading it: its native libraries cost a few hundred milliseconds
/// and 100 MB, more than a small texture synthesis. Checked in a real process with the dynamic loader's own log
/// (glibc's LD_DEBUG=files names every shared object it opens).
/// </summary>
public class StartupTests
{
    static (int ExitCode, string Stderr) RunLogged(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Atelier.Cli"))
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        psi.Environment["LD_DEBUG"] = "files";
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "the command did not finish in 60 s");
        _ = stdout.Result;
        return (p.ExitCode, stderr);
    }

    static bool LoadedLibtorch(string loaderLog) => loaderLog.Contains("libtorch_cpu.so", StringComparison.Ordinal);

    [Fact]
    public void TextureSynthesisTheModelListAndInspectingACheckpointRunWithoutLibtorch()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = TestPaths.NewTempDir();
        var sample = dir.File("sample.png");
        ImageIO.Save(ProceduralSamples.Make("bricks", 48), sample);
        var output = dir.File("out.png");

        var (code, log) = RunLogged("--seed", "1", "texture", "quilting", sample, "--size", "64", "-o", output, "--quiet");
        Assert.Equal(0, code);
        Assert.True(File.Exists(output));
        Assert.Contains("libSkiaSharp.so", log); // the loader's log is there: it names the imaging library it opened
        Assert.False(LoadedLibtorch(log), "texture quilting loaded libtorch");

        (code, log) = RunLogged("models", "list");
        Assert.Equal(0, code);
        Assert.False(LoadedLibtorch(log), "models list loaded libtorch");

        // Inspecting reads headers only, in every format.
        foreach (var file in new[] { TestPaths.Fixture("checkpoints", "nested_state_dict.pth"), TestPaths.Fixture("checkpoints", "legacy.pth"),
                     TestPaths.Fixture("nvlabs", "sg2ada_tiny.pkl"), TestPaths.Fixture("checkpoints", "dtypes.pth.expected.safetensors") })
        {
            (code, log) = RunLogged("checkpoint", "inspect", file, "--json");
            Assert.True(code == 0, file);
            Assert.False(LoadedLibtorch(log), $"checkpoint inspect {Path.GetFileName(file)} loaded libtorch");
        }

        // A command that needs it does load it: the check can tell.
        (code, log) = RunLogged("info");
        Assert.Equal(0, code);
        Assert.True(LoadedLibtorch(log), "info did not load libtorch");
    }
}
