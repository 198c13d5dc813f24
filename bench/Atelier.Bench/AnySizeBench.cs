using System.Diagnostics;
using System.Globalization;
using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Runtime;
using Atelier.Style;
using Atelier.Translation;
using static TorchSharp.torch;

namespace Atelier.Bench;

/// <summary>
/// `anysize`: time and peak memory of a stylisation (TransformerNet) and a translation (ResNet generator, instance norm)
/// untiled at 1024x1024 and tiled at 4096x4096 within a --max-memory budget. Each case runs in a child process so
/// its peak resident memory (VmHWM) is its own; "used" is that peak minus the resident memory after the network is
/// built and has run once on a 64x64 image (runtime, libtorch and its code paged in, weights), i.e. what the budget
/// governs; the peak above the resident memory before that warm-up pass is printed too.
/// Options: --cases fast:1024:0,fast:4096:1024,resnet:1024:0,resnet:4096:1024 (net:side:budget MB, 0 = untiled),
/// --ngf 16 (ResNet width), --threads 2.
/// `--probe fast:256,384,512` (or resnet:...): the peak of one tile's forward pass above the resident memory before it,
/// in bytes a pixel, with statistics recorded, replayed, and without any (the untiled path), to calibrate
/// <see cref="IImageNetwork.BytesPerPixel"/>.
/// </summary>
static class AnySizeBench
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        int ngf = a.Int("--ngf", 16), threads = a.Int("--threads", 2);
        if (a.Get("--case") is { } one) return RunCase(one, ngf, threads);
        if (a.Get("--probe") is { } probe) return Probe(probe, ngf, threads);
        var cases = (a.Get("--cases") ?? "fast:1024:0,resnet:1024:0,fast:4096:1024,resnet:4096:1024").Split(',');
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {threads} threads, load average {BenchSupport.LoadAverage()} at the start");
        Console.WriteLine("| network | size | budget | tiles | time (s) | RSS after load (MB) | after warm-up (MB) | peak RSS (MB) | used (MB) | planner's estimate (MB) | load |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var c in cases)
        {
            // Each case in a fresh process of this program, so its peak memory is its own: through the apphost, or
            // through `dotnet Atelier.Bench.dll` when that is how this one was started.
            var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(typeof(AnySizeBench).Assembly.Location);
            foreach (var s in new[] { "anysize", "--case", c, "--ngf", ngf.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(s);
            using var p = Process.Start(psi)!;
            Console.WriteLine(p.StandardOutput.ReadToEnd().Trim());
            p.WaitForExit();
        }
        return 0;
    }

    static (IImageNetwork Net, string Name, IDisposable Owner) Build(string kind, int ngf)
    {
        if (kind == "fast")
        {
            var t = new TransformerNet(); t.eval();
            return (new FastStyleNetwork(t), "TransformerNet", t);
        }
        var gspec = new GeneratorSpec(GeneratorFamily.Resnet, 9, ngf, 3, 3, NormKind.Instance);
        var tr = new Translator(gspec, gspec.Build(), evalMode: true);
        return (tr, $"resnet_9blocks ngf {ngf}", tr);
    }

    static Image TestImage(int width, int height)
    {
        var image = new Image(width, height, 3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                image[0, y, x] = 0.5f + 0.4f * MathF.Sin(x * 0.01f);
                image[1, y, x] = 0.5f + 0.4f * MathF.Cos(y * 0.013f);
                image[2, y, x] = ((x / 64 + y / 64) & 1) * 0.6f + 0.2f;
            }
        return image;
    }

    /// <summary>One pass on a 64x64 image, statistics recorded: pages in the code and JIT-compiles what every run needs.</summary>
    static void WarmUp(IImageNetwork net)
    {
        using var stats = new NormStatistics();
        GC.KeepAlive(TiledInference.Run(TestImage(64, 64), net, new TilingOptions(), stats));
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    static int RunCase(string spec, int ngf, int threads)
    {
        var parts = spec.Split(':');
        string kind = parts[0];
        int side = int.Parse(parts[1], CultureInfo.InvariantCulture);
        long budgetMb = long.Parse(parts[2], CultureInfo.InvariantCulture);
        set_num_threads(threads);
        manual_seed(1);
        var (net, name, owner) = Build(kind, ngf);
        long afterLoad = Status("VmRSS");
        WarmUp(net);
        long afterWarm = Status("VmRSS");
        ResetPeak();
        var image = TestImage(side, side);
        var options = budgetMb > 0 ? new TilingOptions { MaxMemory = budgetMb << 20 } : new TilingOptions { MaxMemory = long.MaxValue / 4 };
        var plan = TilePlan.Create(side, side, 3, net, options, sourceChannels: 0);
        var clock = Stopwatch.StartNew();
        var result = TiledInference.Run(image, net, options);
        double seconds = clock.Elapsed.TotalSeconds;
        long peak = Status("VmHWM");
        GC.KeepAlive(result);
        owner.Dispose();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {side}x{side} | {(budgetMb > 0 ? budgetMb + " MB" : "untiled")} | {plan.Tiles.Count} ({plan.TileWidth}x{plan.TileHeight}) | {seconds:0.0} | {afterLoad >> 20} | {afterWarm >> 20} | {peak >> 20} | {(peak - afterWarm) >> 20} | {plan.EstimatedBytes >> 20} | {BenchSupport.LoadAverage()} |"));
        return 0;
    }

    static int Probe(string spec, int ngf, int threads)
    {
        var parts = spec.Split(':');
        var sizes = parts[1].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
        set_num_threads(threads);
        manual_seed(1);
        using var budget = NativeAllocator.EnterBudget(); // as budgeted runs do: freed tiles go back, each pass is measured alone
        var (net, name, owner) = Build(parts[0], ngf);
        WarmUp(net);
        Console.WriteLine($"{name}, {threads} threads; peak above the resident memory before the pass, bytes a pixel (planner: {net.BytesPerPixel})");
        Console.WriteLine("| tile | record | replay | replay again | no statistics | RSS after (MB) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        using var stats = new NormStatistics();
        foreach (int s in sizes)
        {
            var image = TestImage(s, s);
            double px = (double)s * s;
            long Pass(NormStatisticsMode? mode)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                long before = ResetPeak();
                using (no_grad())
                using (NewDisposeScope())
                {
                    // The tile as TiledInference makes it, allocated inside the measurement.
                    var x = ImageTensors.ToTensor(image, ValueRange.ZeroOne);
                    using (mode is { } m ? stats.Activate(m) : null) net.Forward(x);
                }
                return Status("VmHWM") - before;
            }
            long record = Pass(NormStatisticsMode.Record);
            long replay = Pass(NormStatisticsMode.Replay);
            long again = Pass(NormStatisticsMode.Replay);
            long plain = Pass(null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {s}x{s} | {record / px:0} | {replay / px:0} | {again / px:0} | {plain / px:0} | {Status("VmRSS") >> 20} |"));
            stats.Clear();
        }
        owner.Dispose();
        return 0;
    }

    /// <summary>Resets the peak resident set (VmHWM) to the current one (Linux: /proc/self/clear_refs) and returns it.</summary>
    static long ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Status("VmRSS");
    }

    static long Status(string key) => BenchSupport.ProcStatusBytes(key);
}
