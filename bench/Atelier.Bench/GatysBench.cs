using System.Diagnostics;
using System.Globalization;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using Atelier.Style;

namespace Atelier.Bench;

/// <summary>
/// Gatys style transfer by L-BFGS (one function evaluation per step, history 100; style layers relu1_1..relu5_1,
/// content relu4_2) on a random-weight torchvision VGG-19: seconds per iteration through the library's own loop,
/// side by side with the same optimisation in PyTorch (bench/python/gatys_bench.py) in one run. Then resident memory
/// at two step counts of one long run, to show it stays flat. The built-in ResNet-18 (Atelier's default feature network)
/// is timed in the same run, as a ratio to the VGG-19.
/// </summary>
static class GatysBench
{
    public static int Run(string[] argv)
    {
        var a = new BenchArgs(argv);
        int threads = a.Int("--threads", 2), iters = a.Int("--iters", 10), warmup = a.Int("--warmup", 3);
        int[] sizes = a.Ints("--sizes", [256, 512]);
        int memorySize = a.Int("--memory-size", 64);
        int[] memorySteps = a.Ints("--memory-steps", [100, 1000]);
        string python = a.Get("--python") ?? "/usr/bin/python3";
        var memoryOptimizer = a.Get("--memory-optimizer") == "adam" ? GatysOptimizer.Adam : GatysOptimizer.Lbfgs;

        TorchRuntime.SetThreads(threads);
        TorchRuntime.DisableNnpack();
        Console.WriteLine($"libtorch {TorchRuntime.Describe().LibTorchVersion}, {threads} threads; load average {BenchSupport.LoadAverage()}");
        Console.WriteLine($"Gatys style transfer, L-BFGS, VGG-19 (random torchvision init); warm-up {warmup} steps, median of {iters}");

        using var vgg = Vgg.TorchVision(VggConfig.Vgg19, upToLayer: "relu5_1");
        using var resnet = a.Has("--no-resnet") ? null : ResNetFeatures.BuiltIn();
        var rows = new List<(int Size, double Ours, double Torch, double ResNet)>();
        foreach (int size in sizes)
        {
            double ours = SecondsPerStep(vgg, size, warmup, iters);
            // The built-in ResNet-18 with its own recipe (taps, smoothing, weights): what `style gatys` runs by default.
            double res = resnet is null ? double.NaN : SecondsPerStep(resnet, size, warmup, iters);
            double torch = double.NaN;
            if (!a.Has("--no-python") &&
                BenchSupport.Python(python, "gatys_bench.py", threads, "--size", $"{size}", "--threads", $"{threads}",
                    "--warmup", $"{warmup}", "--iters", $"{iters}") is { } r)
                torch = r.GetProperty("median").GetDouble();
            rows.Add((size, ours, torch, res));
            Console.WriteLine($"  {size} px: TorchSharp {ours:0.000} s/iter, PyTorch {torch:0.000} s/iter, built-in ResNet-18 {res:0.000} s/iter");
        }
        Console.WriteLine();
        Console.WriteLine($"{"size",5}  {"Atelier s/iter",14}  {"PyTorch s/iter",14}  ratio (Atelier / PyTorch)  {"ResNet-18 s/iter",16}  ratio (ResNet-18 / VGG-19)");
        foreach (var r in rows)
            Console.WriteLine($"{r.Size,5}  {r.Ours,14:0.000}  {r.Torch,14:0.000}  {BenchSupport.Ratio(r.Ours, r.Torch),25}  {r.ResNet,16:0.000}  {BenchSupport.Ratio(r.ResNet, r.Ours)}");

        if (memorySteps.Length > 0 && memorySteps[^1] > 0)
        {
            var rss = new SortedDictionary<int, double>();
            var steps = new HashSet<int>(memorySteps);
            Console.WriteLine();
            var progress = new InlineProgress(p =>
            {
                if (!steps.Contains((int)p.Step)) return;
                double before = BenchSupport.ResidentMiB();
                // After a full collection too: tensors that nobody disposed hold native memory until their finalizers run.
                GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
                rss[(int)p.Step] = BenchSupport.ResidentMiB();
                Console.WriteLine($"  step {p.Step}: resident {before:0} MiB, {rss[(int)p.Step]:0} MiB after a full GC"); // as it goes: long runs may be cut
            });
            // `--memory-features resnet18` measures the default network (with its recipe) instead of the VGG-19.
            FeatureNetwork memoryNet = a.Get("--memory-features") == FeatureNetworks.ResNet18 && resnet is not null ? resnet : vgg;
            GatysStyleTransfer.Run(Picture(memorySize, 1), [new WeightedStyle(Picture(memorySize, 2))], memoryNet,
                new GatysStyleOptions { Iterations = memorySteps.Max(), Optimizer = memoryOptimizer }, progress);
            Console.WriteLine();
            Console.WriteLine($"resident memory of one {memorySize} px run on {memoryNet.Description} (after a full GC): " +
                string.Join(", ", rss.Select(kv => $"step {kv.Key}: {kv.Value:0} MiB")));
        }
        return 0;
    }

    static double SecondsPerStep(FeatureNetwork vgg, int size, int warmup, int iters)
    {
        var clock = Stopwatch.StartNew();
        var stamps = new List<double>();
        var progress = new InlineProgress(_ => stamps.Add(clock.Elapsed.TotalSeconds));
        GatysStyleTransfer.Run(Picture(size, 1), [new WeightedStyle(Picture(size, 2))], vgg,
            new GatysStyleOptions { Iterations = warmup + iters }, progress);
        var deltas = stamps.Zip(stamps.Skip(1), (x, y) => y - x).Skip(warmup - 1).ToList();
        return BenchSupport.Median(deltas);
    }

    /// <summary>A smooth synthetic picture (the timing does not depend on the content).</summary>
    static Image Picture(int size, int seed)
    {
        var img = new Image(size, size, 3);
        var rng = new Random(seed);
        for (int c = 0; c < 3; c++)
        {
            double fx = rng.NextDouble() * 0.1, fy = rng.NextDouble() * 0.1, ph = rng.NextDouble() * 6;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    img.Data[(c * size + y) * size + x] = (float)(0.5 + 0.4 * Math.Sin(fx * x + fy * y * (c + 1) + ph));
        }
        return img;
    }
}
