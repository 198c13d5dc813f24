using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Runtime;
using Atelier.Training;
using Atelier.Translation;

namespace Atelier.Bench;

/// <summary>
/// Seconds per training iteration of Pix2Pix (unet_256 at 256 px, unet_128 at 128 px; basic PatchGAN; batch norm;
/// vanilla GAN + 100 L1) and CycleGAN (resnet_9blocks at 256, resnet_6blocks at 128, as the reference pairs them;
/// instance norm; LSGAN + cycles + identity; 50-image pool), batch 1 at 256 px and batch 4 at 128 px, in TorchSharp
/// (the trainers of src/Atelier/Translation, their data handling included) and in PyTorch
/// (bench/python/translation_bench.py, same networks, losses and update order) in one run. Median of N after warm-up.
/// `--memory N`: instead, the resident set size of tiny 32 px runs of both trainers at iterations N/10 and N.
/// </summary>
static class TranslationBench
{
    public static int Run(string[] argv)
    {
        var a = new BenchArgs(argv);
        int threads = a.Int("--threads", 2), iters = a.Int("--iters", 5), warmup = a.Int("--warmup", 3), ngf = a.Int("--ngf", 64);
        string python = a.Get("--python") ?? "/usr/bin/python3";
        TorchRuntime.SetThreads(threads);
        TorchRuntime.DisableNnpack(); // as the CLI does: NNPACK is unsupported here and warns on every convolution
        Console.WriteLine($"{threads} intra-op thread(s); load average {BenchSupport.LoadAverage()}");
        if (a.Get("--memory") is { } m) return Memory(int.Parse(m, CultureInfo.InvariantCulture));

        var configs = new List<(string Model, int Size, int Batch)>();
        foreach (var model in (a.Get("--models") ?? "pix2pix,cyclegan").Split(','))
            foreach (var (size, batch) in new[] { (256, 1), (128, 4) })
                configs.Add((model, size, batch));
        Console.WriteLine($"warm-up {warmup}, median of {iters}, ngf = ndf = {ngf}");
        Console.WriteLine($"{"model",-9} {"size",5} {"batch",5} {"arch",-15} {"torchsharp s/it",16} {"pytorch s/it",13}  ratio");
        foreach (var (model, size, batch) in configs)
        {
            var arch = model == "pix2pix" ? (size >= 256 ? "unet_256" : "unet_128") : (size >= 256 ? "resnet_9blocks" : "resnet_6blocks");
            double ours = Time(model, arch, size, batch, ngf, warmup, iters);
            double theirs = a.Has("--no-python") ? double.NaN : Python(python, model, arch, size, batch, ngf, threads, warmup, iters);
            Console.WriteLine($"{model,-9} {size,5} {batch,5} {arch,-15} {F(ours),16} {F(theirs),13}  {F(ours / theirs, "0.00")}");
        }
        Console.WriteLine($"load average at the end {BenchSupport.LoadAverage()}");
        return 0;
    }

    static ITrainable Make(string model, string arch, int size, int batch, int ngf)
    {
        var images = Enumerable.Range(0, 4).Select(i => BenchSupport.Noise(size, size, new Random(i))).ToList();
        return model == "pix2pix"
            ? new Pix2PixTrainer(images.Select((x, i) => new ImagePair($"p{i}", x, images[(i + 1) % 4])).ToList(),
                new Pix2PixOptions { Generator = arch, Ngf = ngf, Ndf = ngf, LoadSize = size, CropSize = size, BatchSize = batch })
            : new CycleGanTrainer(images, images.AsEnumerable().Reverse().ToList(),
                new CycleGanOptions { Generator = arch, Ngf = ngf, Ndf = ngf, LoadSize = size, CropSize = size, BatchSize = batch });
    }

    static double Time(string model, string arch, int size, int batch, int ngf, int warmup, int iters)
    {
        using var trainer = Make(model, arch, size, batch, ngf);
        return BenchSupport.MedianSeconds(warmup, iters, i => trainer.TrainStep(i));
    }

    /// <summary>RSS of tiny runs (32 px, ngf 8) at iterations n/10 and n: flat memory means no tensor leaks per step.</summary>
    static int Memory(int n)
    {
        foreach (var (model, arch) in new[] { ("pix2pix", "unet_32"), ("cyclegan", "resnet_2blocks") })
        {
            using var trainer = Make(model, arch, 32, 1, 8);
            var clock = Stopwatch.StartNew();
            var marks = new List<string>();
            for (int i = 1; i <= n; i++)
            {
                trainer.TrainStep(i - 1);
                if (i == n / 10 || i == n / 2 || i == n)
                {
                    GC.Collect(); GC.WaitForPendingFinalizers();
                    using var self = Process.GetCurrentProcess();
                    marks.Add($"it {i}: {self.WorkingSet64 / (1024.0 * 1024):F1} MiB");
                }
            }
            Console.WriteLine($"{model} {arch} 32 px, {n} iterations in {clock.Elapsed.TotalSeconds:F0} s; RSS {string.Join(", ", marks)}");
        }
        return 0;
    }

    static double Python(string python, string model, string arch, int size, int batch, int ngf, int threads, int warmup, int iters) =>
        BenchSupport.Python(python, "translation_bench.py", threads, "--model", model, "--arch", arch, "--size", $"{size}", "--batch", $"{batch}",
            "--ngf", $"{ngf}", "--threads", $"{threads}", "--warmup", $"{warmup}", "--iters", $"{iters}") is { } r
            ? r.GetProperty("median").GetDouble() : double.NaN;

    static string F(double v, string format = "0.000") => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);
}
