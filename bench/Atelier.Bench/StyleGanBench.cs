using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Atelier.Networks;
using Atelier.Runtime;
using Atelier.StyleGan;
using TorchSharp;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Bench;

/// <summary>
/// StyleGAN2 generation (images/s: z -> image, stored noise, no gradients) and w+ inversion (s/step: VGG-19
/// perceptual + pixel MSE, Adam) at the trained size, in TorchSharp and in PyTorch (bench/python/stylegan_bench.py,
/// the same architecture in rosinality's pure-PyTorch ops, run by /usr/bin/python3 in the same run with the same
/// threads). `--memory` instead runs one long inversion at 16 px and prints the process RSS at the listed steps
/// (`--rss-at 500,5000`; `--no-perceptual` for pixel loss only, much faster).
/// </summary>
static class StyleGanBench
{
    public static int Run(string[] argv)
    {
        var a = new BenchArgs(argv);
        int threads = a.Int("--threads", 2), iters = a.Int("--iters", 5), warmup = a.Int("--warmup", 2);
        int size = a.Int("--size", 32), latent = a.Int("--latent", 128), nMlp = a.Int("--n-mlp", 4), channels = a.Int("--channels", 32);
        int batch = a.Int("--batch", 16), invertSteps = a.Int("--invert-steps", 20);
        TorchRuntime.SetThreads(threads);
        TorchRuntime.DisableNnpack(); // as the CLI: no per-convolution NNPACK warnings on this CPU
        var info = TorchRuntime.Describe();
        Console.WriteLine($"libtorch {info.LibTorchVersion}, {info.Threads} intra-op threads; load average {BenchSupport.LoadAverage()}");
        if (a.Has("--memory")) return Memory(a.Ints("--rss-at", [500, 5000]), !a.Has("--no-perceptual"));

        Console.WriteLine($"StyleGAN2 {size} px, latent {latent}, n_mlp {nMlp}, {channels} channels; generation batch {batch} (warm-up {warmup}, median of {iters}); inversion w+ median of {invertSteps} steps");
        manual_seed(0);
        using var g = new Generator(new GeneratorConfig(size, latent, nMlp, MaxChannels: channels));
        g.eval();
        double gen;
        using (no_grad())
        using (var z = randn(batch, latent))
            gen = batch / BenchSupport.MedianSeconds(warmup, iters, _ =>
            {
                using var scope = NewDisposeScope();
                g.Generate(z, LatentSpace.Z);
            });

        // Inversion: per-step time from the progress reports (so the mean-w and target preparation are not counted).
        using var vgg = Vgg.BuiltIn(upToLayer: "conv4_2");
        using var perceptual = new PerceptualLoss(vgg);
        Tensor meanW, target;
        using (no_grad())
        {
            meanW = g.MeanLatent(4096, new torch.Generator(1));
            target = g.Generate(randn(1, latent), LatentSpace.Z);
        }
        var stamps = new List<double>();
        var watch = Stopwatch.StartNew();
        var progress = new InlineProgress(_ => stamps.Add(watch.Elapsed.TotalSeconds));
        using (var result = Inversion.Invert(g, target, meanW, perceptual.Distance, new InversionOptions { Space = LatentSpace.WPlus, Steps = warmup + invertSteps }, progress)) { }
        var stepTimes = stamps.Zip(stamps.Skip(1), (x, y) => y - x).Skip(warmup).ToList();
        double invert = stepTimes.Count > 0 ? BenchSupport.Median(stepTimes) : double.NaN;

        string python = a.Get("--python") ?? "/usr/bin/python3";
        var py = Python(python, size, latent, nMlp, channels, batch, threads, warmup, iters, invertSteps, reuse: false);
        // The same script with Atelier's allocator policy: what of the ratio is malloc, what the kernels.
        var pyReuse = Python(python, size, latent, nMlp, channels, batch, threads, warmup, iters, invertSteps, reuse: true);
        Console.WriteLine();
        Console.WriteLine($"Atelier malloc policy: {BenchSupport.AtelierMalloc}; PyTorch as run by default, and with the reuse policy");
        Console.WriteLine("ratio = TorchSharp / PyTorch; above 1 is Atelier better for images/s, worse for s/step");
        Console.WriteLine($"{"measure",-28} {"TorchSharp",12} {"PyTorch",12} {"ratio",6} {"PyTorch reuse",14} {"ratio",6}");
        Console.WriteLine($"{"generation images/s",-28} {gen,12:0.00} {py.Gen,12:0.00} {gen / py.Gen,6:0.00} {pyReuse.Gen,14:0.00} {gen / pyReuse.Gen,6:0.00}");
        Console.WriteLine($"{"inversion s/step (w+)",-28} {invert,12:0.000} {py.Invert,12:0.000} {invert / py.Invert,6:0.00} {pyReuse.Invert,14:0.000} {invert / pyReuse.Invert,6:0.00}");
        Console.WriteLine($"load average after: {BenchSupport.LoadAverage()}");
        return 0;
    }

    /// <summary>Progress that runs its handler on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>

    static int Memory(int[] at, bool withPerceptual)
    {
        manual_seed(0);
        using var g = new Generator(new GeneratorConfig(16, 32, 2, MaxChannels: 16));
        using var vgg = Vgg.BuiltIn(upToLayer: "conv4_2");
        using var perceptual = new PerceptualLoss(vgg);
        Tensor meanW, target;
        using (no_grad())
        {
            meanW = g.MeanLatent(1024, new torch.Generator(1));
            target = g.Generate(randn(1, 32), LatentSpace.Z);
        }
        var clock = Stopwatch.StartNew();
        var progress = new InlineProgress(r =>
        {
            if (at.Contains((int)r.Step))
                Console.WriteLine($"step {r.Step,6}: RSS {BenchSupport.ResidentMiB():0.0} MiB ({clock.Elapsed.TotalSeconds:0} s)");
        });
        using var result = Inversion.Invert(g, target, meanW, withPerceptual ? perceptual.Distance : null,
            new InversionOptions { Space = LatentSpace.WPlus, Steps = at.Max() }, progress);
        Console.WriteLine($"16 px generator (16 channels), {(withPerceptual ? "VGG-19 perceptual + " : "")}pixel MSE, w+; PSNR {result.Psnr:0.00} dB");
        return 0;
    }


    static (double Gen, double Invert) Python(string python, int size, int latent, int nMlp, int channels, int batch, int threads, int warmup, int iters, int invertSteps, bool reuse)
    {
        var r = BenchSupport.Python(python, "stylegan_bench.py", threads, reuse, "--size", $"{size}", "--latent", $"{latent}", "--n-mlp", $"{nMlp}",
            "--channels", $"{channels}", "--batch", $"{batch}", "--threads", $"{threads}", "--warmup", $"{warmup}", "--iters", $"{iters}",
            "--invert-steps", $"{invertSteps}");
        if (r is not { } doc) return (double.NaN, double.NaN);
        Console.WriteLine($"  pytorch {doc.GetProperty("torch").GetString()}");
        return (doc.GetProperty("gen_images_per_s").GetDouble(), doc.GetProperty("invert_s_per_step").GetDouble());
    }
}
