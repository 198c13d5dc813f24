using System.Diagnostics;
using System.Globalization;
using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Style;
using Atelier.Translation;
using static TorchSharp.torch;

namespace Atelier.Bench;

/// <summary>
/// `anysize`: time and peak memory of a stylisation (TransformerNet) and a translation (ResNet generator, instance norm)
/// untiled at 1024x1024 and tiled at 4096x4096 within a --max-memory budget. Each case runs in a child process so
/// its peak resident memory (VmHWM) is its own; "used" is that peak minus the resident memory after the network is
/// built (runtime, libtorch and weights), i.e. what the budget governs.
/// Options: --cases fast:1024:0,fast:4096:1024,resnet:1024:0,resnet:4096:1024 (net:side:budget MB, 0 = untiled),
/// --ngf 16 (ResNet width), --threads 2.
/// </summary>
static class AnySizeBench
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        if (a.Get("--case") is { } one) return RunCase(one, a.Int("--ngf", 16), a.Int("--threads", 2));
        var cases = (a.Get("--cases") ?? "fast:1024:0,resnet:1024:0,fast:4096:1024,resnet:4096:1024").Split(',');
        Console.WriteLine("| network | size | budget | tiles | time (s) | RSS after load (MB) | peak RSS (MB) | used (MB) | estimate (MB) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var c in cases)
        {
            var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var s in new[] { "anysize", "--case", c, "--ngf", a.Int("--ngf", 16).ToString(CultureInfo.InvariantCulture), "--threads", a.Int("--threads", 2).ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(s);
            using var p = Process.Start(psi)!;
            Console.WriteLine(p.StandardOutput.ReadToEnd().Trim());
            p.WaitForExit();
        }
        return 0;
    }

    static int RunCase(string spec, int ngf, int threads)
    {
        var parts = spec.Split(':');
        string kind = parts[0];
        int side = int.Parse(parts[1], CultureInfo.InvariantCulture);
        long budgetMb = long.Parse(parts[2], CultureInfo.InvariantCulture);
        set_num_threads(threads);
        manual_seed(1);
        IImageNetwork net;
        string name;
        IDisposable owner;
        if (kind == "fast")
        {
            var t = new TransformerNet(); t.eval();
            net = new FastStyleNetwork(t); owner = t; name = "TransformerNet";
        }
        else
        {
            var gspec = new GeneratorSpec(GeneratorFamily.Resnet, 9, ngf, 3, 3, NormKind.Instance);
            var tr = new Translator(gspec, gspec.Build(), evalMode: true);
            net = tr; owner = tr; name = $"resnet_9blocks ngf {ngf}";
        }
        long afterLoad = Status("VmRSS");
        var image = new Image(side, side, 3);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                image[0, y, x] = 0.5f + 0.4f * MathF.Sin(x * 0.01f);
                image[1, y, x] = 0.5f + 0.4f * MathF.Cos(y * 0.013f);
                image[2, y, x] = ((x / 64 + y / 64) & 1) * 0.6f + 0.2f;
            }
        var options = budgetMb > 0 ? new TilingOptions { MaxMemory = budgetMb << 20 } : new TilingOptions { MaxMemory = long.MaxValue / 4 };
        var plan = TilePlan.Create(side, side, 3, net, options);
        var clock = Stopwatch.StartNew();
        var result = TiledInference.Run(image, net, options);
        double seconds = clock.Elapsed.TotalSeconds;
        long peak = Status("VmHWM");
        GC.KeepAlive(result);
        owner.Dispose();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {side}x{side} | {(budgetMb > 0 ? budgetMb + " MB" : "untiled")} | {plan.Tiles.Count} ({plan.TileWidth}x{plan.TileHeight}) | {seconds:0.0} | {afterLoad >> 20} | {peak >> 20} | {(peak - afterLoad) >> 20} | {plan.EstimatedBytes >> 20} |"));
        return 0;
    }

    /// <summary>A /proc/self/status figure in bytes (Linux).</summary>
    static long Status(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }
}
