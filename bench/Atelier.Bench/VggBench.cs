using System.Diagnostics;
using System.Globalization;
using Atelier.Networks;
using Atelier.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Bench;

/// <summary>
/// VGG-19 features through relu5_1, forward + backward to the input (what Gatys optimisation does each step), at
/// several sizes, in TorchSharp and in PyTorch (bench/python/vgg_bench.py run by /usr/bin/python3 in the same run,
/// same shapes and threads). Plain Stopwatch timing: warm-up iterations, then the median of N.
/// </summary>
static class VggBench
{
    public static int Run(string[] argv)
    {
        var a = new BenchArgs(argv);
        int threads = a.Int("--threads", 2), iters = a.Int("--iters", 5), warmup = a.Int("--warmup", 2);
        int[] sizes = a.Ints("--sizes", [256, 512]);
        string python = a.Get("--python") ?? "/usr/bin/python3";
        bool withPython = !a.Has("--no-python");

        TorchRuntime.SetThreads(threads);
        var info = TorchRuntime.Describe();
        Console.WriteLine($"libtorch {info.LibTorchVersion}, {info.Threads} intra-op threads, {info.InteropThreads} inter-op; load average {LoadAverage()}");
        Console.WriteLine($"VGG-19 through relu5_1, forward+backward to the input; warm-up {warmup}, median of {iters}");

        using var vgg = Vgg.TorchVision(VggConfig.Vgg19, upToLayer: "relu5_1");
        var rows = new List<(int Size, string Variant, double Seconds)>();
        foreach (int size in sizes)
        {
            rows.Add((size, "torchsharp", Time(vgg, size, warmup, iters, inPlace: true)));
            if (a.Has("--variants"))
                rows.Add((size, "torchsharp, out-of-place ReLU", Time(vgg, size, warmup, iters, inPlace: false)));
            if (withPython)
                rows.Add((size, "pytorch", Python(python, size, threads, warmup, iters)));
        }
        Console.WriteLine();
        Console.WriteLine($"{"size",5}  {"variant",-32} {"s/iter",8}  ratio (TorchSharp / PyTorch)");
        foreach (var r in rows)
        {
            var py = rows.FirstOrDefault(x => x.Size == r.Size && x.Variant == "pytorch");
            string ratio = py.Variant != null && r.Variant != "pytorch" && py.Seconds > 0 ? (r.Seconds / py.Seconds).ToString("0.00", CultureInfo.InvariantCulture) : "";
            Console.WriteLine($"{r.Size,5}  {r.Variant,-32} {r.Seconds.ToString("0.000", CultureInfo.InvariantCulture),8}  {ratio}");
        }
        return 0;
    }

    static double Time(Vgg vgg, int size, int warmup, int iters, bool inPlace)
    {
        vgg.InPlaceRelu = inPlace;
        string[] layers = ["relu5_1"];
        using var x = rand(1, 3, size, size).requires_grad_(true);
        var times = new List<double>();
        for (int i = 0; i < warmup + iters; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                var f = vgg.Features(x, layers)["relu5_1"];
                f.sum().backward();
                x.grad!.zero_();
            }
            if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
        }
        vgg.InPlaceRelu = true;
        return Median(times);
    }

    static double Python(string python, int size, int threads, int warmup, int iters)
    {
        var r = BenchSupport.Python(python, "vgg_bench.py", threads, "--size", $"{size}", "--threads", $"{threads}", "--warmup", $"{warmup}", "--iters", $"{iters}");
        if (r is not { } doc) return double.NaN;
        Console.WriteLine($"  pytorch {doc.GetProperty("torch").GetString()} at {size}: {doc.GetProperty("median").GetDouble():0.000} s/iter");
        return doc.GetProperty("median").GetDouble();
    }

    static double Median(List<double> v) => BenchSupport.Median(v);

    static string LoadAverage() => BenchSupport.LoadAverage();
}
