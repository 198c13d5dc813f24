using System.Globalization;
using Atelier.Networks;
using Atelier.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Bench;

/// <summary>
/// Feature networks forward + backward to the input (what Gatys optimisation does each step), at several sizes, in
/// TorchSharp and in PyTorch (bench/python/vgg_bench.py run by /usr/bin/python3 in the same run, same shapes and
/// threads): VGG-19 through relu5_1, and the built-in ResNet-18 through layer4 against torchvision's resnet18 in eval
/// mode (the same layers; Atelier's has its batch norms folded into the convolutions, as it loads them).
/// `vgg [--networks vgg19,resnet18] [--sizes 256,512] [--variants]`. Plain Stopwatch timing: warm-up iterations, then
/// the median of N.
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
        Console.WriteLine($"libtorch {info.LibTorchVersion}, {info.Threads} intra-op threads, {info.InteropThreads} inter-op; load average {BenchSupport.LoadAverage()}");
        Console.WriteLine($"forward+backward to the input; warm-up {warmup}, median of {iters}");

        var networks = (a.Get("--networks") ?? "vgg19,resnet18").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rows = new List<(string Network, int Size, string Variant, double Seconds)>();
        foreach (var network in networks)
        {
            if (network is not ("vgg19" or "resnet18")) { Console.Error.WriteLine($"--networks {network}: expected vgg19 or resnet18"); return 2; }
            using FeatureNetwork net = network == "vgg19" ? Vgg.TorchVision(VggConfig.Vgg19, upToLayer: "relu5_1") : ResNetFeatures.BuiltIn();
            string layer = network == "vgg19" ? "relu5_1" : "layer4.1";
            foreach (int size in sizes)
            {
                rows.Add((network, size, "torchsharp", Time(net, layer, size, warmup, iters, inPlace: true)));
                if (a.Has("--variants") && net is Vgg)
                    rows.Add((network, size, "torchsharp, out-of-place ReLU", Time(net, layer, size, warmup, iters, inPlace: false)));
                if (withPython)
                    rows.Add((network, size, "pytorch", Python(python, network, size, threads, warmup, iters)));
            }
        }
        Console.WriteLine();
        Console.WriteLine($"{"network",-9} {"size",5}  {"variant",-32} {"s/iter",8}  ratio (TorchSharp / PyTorch)");
        foreach (var r in rows)
        {
            var py = rows.FirstOrDefault(x => x.Network == r.Network && x.Size == r.Size && x.Variant == "pytorch");
            string ratio = py.Variant != null && r.Variant != "pytorch" && py.Seconds > 0 ? (r.Seconds / py.Seconds).ToString("0.00", CultureInfo.InvariantCulture) : "";
            Console.WriteLine($"{r.Network,-9} {r.Size,5}  {r.Variant,-32} {r.Seconds.ToString("0.000", CultureInfo.InvariantCulture),8}  {ratio}");
        }
        return 0;
    }

    static double Time(FeatureNetwork net, string layer, int size, int warmup, int iters, bool inPlace)
    {
        if (net is Vgg v) v.InPlaceRelu = inPlace;
        string[] layers = [layer];
        using var x = rand(1, 3, size, size).requires_grad_(true);
        double seconds = BenchSupport.MedianSeconds(warmup, iters, _ =>
        {
            using var scope = NewDisposeScope();
            var f = net.Features(x, layers)[layer];
            f.sum().backward();
            x.grad!.zero_();
        });
        if (net is Vgg w) w.InPlaceRelu = true;
        return seconds;
    }

    static double Python(string python, string network, int size, int threads, int warmup, int iters)
    {
        var r = BenchSupport.Python(python, "vgg_bench.py", threads, "--network", network, "--size", $"{size}", "--threads", $"{threads}", "--warmup", $"{warmup}", "--iters", $"{iters}");
        if (r is not { } doc) return double.NaN;
        Console.WriteLine($"  pytorch {doc.GetProperty("torch").GetString()} {network} at {size}: {doc.GetProperty("median").GetDouble():0.000} s/iter");
        return doc.GetProperty("median").GetDouble();
    }
}
