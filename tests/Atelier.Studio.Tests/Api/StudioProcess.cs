using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Atelier.Studio.Tests.Api;

/// <summary>
/// `atelier studio` as operators run it: the real CLI process on a free loopback port, stopped by a signal. For the
/// tests that only a real process can answer (signals, exit codes, resident memory).
/// </summary>
sealed class StudioProcess : IDisposable
{
    [DllImport("libc", EntryPoint = "kill")] static extern int Kill(int pid, int signal);

    readonly Process _process;
    readonly StringBuilder _stderr;

    public HttpClient Http { get; }
    public int Id => _process.Id;

    StudioProcess(Process process, StringBuilder stderr, Uri address)
    {
        _process = process;
        _stderr = stderr;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public static StudioProcess Start(params string[] extraArgs)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Atelier.Cli"))
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--json", "studio", "--urls", "http://127.0.0.1:0" }.Concat(extraArgs)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        var stderr = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        // With --json the studio prints {"addresses": [...]} once it listens.
        var read = p.StandardOutput.ReadLineAsync();
        if (!read.Wait(TimeSpan.FromSeconds(60)) || read.Result is null)
        {
            p.Kill(true);
            lock (stderr) throw new InvalidOperationException("the studio did not start: " + stderr);
        }
        var address = JsonDocument.Parse(read.Result).RootElement.GetProperty("addresses")[0].GetString()!;
        _ = p.StandardOutput.ReadToEndAsync();
        return new StudioProcess(p, stderr, new Uri(address));
    }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>The process's resident set (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException("no VmRSS");
    }

    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    /// <summary>Waits for the process to end; its exit code, or null when it was still running after <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return null;
        _process.WaitForExit(); // the stderr reader drains
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Http.Dispose();
        if (!_process.HasExited) _process.Kill(true);
        _process.Dispose();
    }
}
