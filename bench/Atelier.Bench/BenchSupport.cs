using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Atelier.Bench;

/// <summary>What every side-by-side benchmark needs: the PyTorch reference run, medians, the load, resident memory.</summary>
static class BenchSupport
{
    /// <summary>
    /// Runs bench/python/SCRIPT with Debian's python3 (torch 1.13) and the given arguments, OMP threads pinned, and
    /// returns the JSON object on its last stdout line (null, with the error printed, if it failed).
    /// </summary>
    /// <summary>The allocator policy this run gave Atelier: "reuse" (as the CLI) or "default" (glibc's own).</summary>
    public static string AtelierMalloc => Atelier.Runtime.NativeAllocator.ReusingFreedMemory ? "reuse" : "default";

    /// <summary>Runs a reference script with glibc's default allocator policy, as PyTorch users run it.</summary>
    public static JsonElement? Python(string python, string script, int threads, params string[] args) =>
        Python(python, script, threads, reuseFreedMemory: false, args);

    /// <summary>
    /// Runs a reference script; with <paramref name="reuseFreedMemory"/> its malloc gets the policy Atelier sets for
    /// itself (the same glibc options, by environment), to show what of a ratio is the allocator and what the kernels.
    /// </summary>
    public static JsonElement? Python(string python, string script, int threads, bool reuseFreedMemory, params string[] args)
    {
        var path = Path.Combine(FindRepoRoot(), "bench", "python", script);
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(path);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        foreach (var (k, v) in PythonEnvironment(threads, reuseFreedMemory)) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + python);
        var stderrTask = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { Console.Error.WriteLine($"{script} failed ({p.ExitCode}): {stderrTask.Result}"); return null; }
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using var doc = JsonDocument.Parse(last);
        return doc.RootElement.Clone();
    }

    /// <summary>The environment a reference script runs under: its threads, and with <paramref name="reuseFreedMemory"/> Atelier's malloc policy.</summary>
    public static IEnumerable<(string Key, string Value)> PythonEnvironment(int threads, bool reuseFreedMemory)
    {
        yield return ("OMP_NUM_THREADS", threads.ToString(CultureInfo.InvariantCulture));
        if (!reuseFreedMemory) yield break;
        yield return ("MALLOC_MMAP_MAX_", "0");
        yield return ("MALLOC_TRIM_THRESHOLD_", int.MaxValue.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The median seconds of <paramref name="iters"/> calls of <paramref name="step"/> (given the call's index) after <paramref name="warmup"/> untimed ones.</summary>
    public static double MedianSeconds(int warmup, int iters, Action<int> step)
    {
        var times = new List<double>();
        for (int i = 0; i < warmup + iters; i++)
        {
            var clock = Stopwatch.StartNew();
            step(i);
            if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
        }
        return Median(times);
    }

    /// <summary>Uniform noise in [0,1): a picture for timings, which do not depend on what it shows.</summary>
    public static Atelier.Imaging.Image Noise(int width, int height, Random rng)
    {
        var img = new Atelier.Imaging.Image(width, height, 3);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (float)rng.NextDouble();
        return img;
    }

    public static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToList();
        if (s.Count == 0) return double.NaN;
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; } catch (IOException) { return "?"; }
    }

    /// <summary>Resident set size of this process in MiB (native tensors included), from /proc/self/status.</summary>
    public static double ResidentMiB() => ProcStatusBytes("VmRSS") is > 0 and var b ? b / 1048576.0 : double.NaN;

    /// <summary>A /proc/self/status figure (VmRSS, VmHWM, ...) in bytes; 0 where there is none (not Linux).</summary>
    public static long ProcStatusBytes(string key)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    public static string Ratio(double ours, double reference) =>
        double.IsFinite(ours) && double.IsFinite(reference) && reference > 0 ? (ours / reference).ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    public static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atelier.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
