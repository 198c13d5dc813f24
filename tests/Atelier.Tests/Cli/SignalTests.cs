using System.Diagnostics;
using System.Runtime.InteropServices;
using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Cli;

/// <summary>
/// SIGTERM (docker stop, systemd, `timeout`) and SIGHUP (a closed terminal) stop a run the way Ctrl+C does: promptly,
/// cleanly, no partial output, exit code 128 + the signal's number.
/// </summary>
public class SignalTests
{
    [DllImport("libc", EntryPoint = "kill")] static extern int Kill(int pid, int signal);

    [Theory]
    [InlineData(15, "SIGTERM")]
    [InlineData(1, "SIGHUP")]
    public void ASignalStopsALongRunPromptlyAndLeavesNoOutput(int signal, string name)
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = TestPaths.NewTempDir();
        var sample = dir.File("sample.png");
        ImageIO.Save(ProceduralSamples.Make("pebbles", 48), sample);
        var output = dir.File("out.png");
        // An exact Efros-Leung of 1500x1500 px takes many minutes: only a signal ends it in time.
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Atelier.Cli"))
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "texture", "efros-leung", sample, "--size", "1500", "-o", output, "--seed", "1" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        p.StandardOutput.ReadToEndAsync();
        // Wait until the work has started (its first progress line), then signal.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited)
        {
            lock (stderr) if (stderr.ToString().Contains("efros-leung")) break;
            Thread.Sleep(50);
        }
        Assert.False(p.HasExited, "the run ended before the signal: " + stderr);
        Assert.Equal(0, Kill(p.Id, signal));
        if (IgnoredHere(signal))
        {
            // Under nohup (the test run's hang-ups ignored, which children inherit) a hang-up must be ignored too:
            // that is what nohup promises the person who started it.
            bool stopped = p.WaitForExit(3_000);
            if (!stopped) p.Kill();
            Assert.False(stopped, $"{name} is ignored where this test runs (nohup), yet it stopped the run");
            return;
        }
        var stopping = Stopwatch.StartNew();
        bool exited = p.WaitForExit(20_000);
        if (!exited) p.Kill();
        if (!exited) lock (stderr) Assert.Fail($"still running 20 s after {name}; its stderr ended: {Tail(stderr.ToString())}");
        p.WaitForExit();
        string err;
        lock (stderr) err = stderr.ToString();
        Assert.Contains($"stopping ({name})", err);
        Assert.Contains("cancelled", err);
        Assert.Equal(128 + signal, p.ExitCode);
        Assert.False(File.Exists(output));
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"took {stopping.Elapsed.TotalSeconds:0.0} s to stop");
    }

    /// <summary>Whether this process ignores <paramref name="signal"/> (/proc/self/status SigIgn), as children it starts then do.</summary>
    static bool IgnoredHere(int signal)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        ulong mask = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (signal - 1))) != 0;
    }

    /// <summary>The last lines of a log, progress redraws split out, for a failure message.</summary>
    static string Tail(string log) => string.Join(" | ", log.Split('\r', '\n').Where(l => l.Length > 0).TakeLast(6));
}
