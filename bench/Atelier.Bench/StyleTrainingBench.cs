using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using Atelier.Style;
using Atelier.StyleGan.Training;
using static TorchSharp.torch;

namespace Atelier.Bench;

/// <summary>
/// Training steps of the style networks against the reference code in PyTorch (bench/python/style_training_bench.py),
/// seconds per step, in one run: fast style with the reference's losses (TransformerNet, VGG-16 to relu4_3, batch 4 at
/// 256 px, as pytorch/examples trains) and the AdaIN decoder (normalised VGG-19 to relu4_1, batch 8 at 256 px, as
/// naoto0804/pytorch-AdaIN trains), and StyleGAN2 at the shipped glyph model's shape (32 px, latent 128, 4 mapping
/// layers, 64 channels, batch 16) against rosinality's train.py step (bench/python/stylegan_train_bench.py), timed as
/// the mean of 16 consecutive steps, one full cycle of R1 (every 16) and the path-length penalty (every 4). Atelier's
/// side is the trainers' own step (<see cref="FastStyleTrainer.TrainStep"/>, <see cref="AdaInTrainer.TrainStep"/>,
/// <see cref="StyleGanTrainer.TrainStep"/>); the style trainers also read their crops from PNG files (256 px, no
/// resizing: a few milliseconds a step); the Python side draws random tensors. PyTorch is run as users run it and with
/// Atelier's malloc policy. `styletrain [--kinds fast,adain,stylegan] [--threads 2] [--iters 3] [--warmup 1] [--no-python]`.
/// </summary>
static class StyleTrainingBench
{
    public static int Run(string[] argv)
    {
        var a = new BenchArgs(argv);
        int threads = a.Int("--threads", 2), iters = a.Int("--iters", 3), warmup = a.Int("--warmup", 1);
        string python = a.Get("--python") ?? "/usr/bin/python3";
        var kinds = (a.Get("--kinds") ?? "fast,adain,stylegan").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        TorchRuntime.SetThreads(threads);
        TorchRuntime.DisableNnpack();
        Console.WriteLine($"libtorch {TorchRuntime.Describe().LibTorchVersion}, {threads} threads, malloc {BenchSupport.AtelierMalloc}; load average {BenchSupport.LoadAverage()}");
        Console.WriteLine($"training steps, s/step; warm-up {warmup}, median of {iters}");

        var dir = Directory.CreateTempSubdirectory("atelier-styletrain-");
        try
        {
            // Pictures at the crop size: the step reads and crops them without resizing.
            var rng = new Random(1);
            foreach (var sub in new[] { "content", "style" })
            {
                Directory.CreateDirectory(Path.Combine(dir.FullName, sub));
                for (int i = 0; i < 8; i++) ImageIO.Save(BenchSupport.Noise(256, 256, rng), Path.Combine(dir.FullName, sub, $"{i}.png"));
            }
            Console.WriteLine($"{"step",-44} {"Atelier",9} {"PyTorch",9} {"ratio",7} {"PyTorch reuse",14} {"ratio",7}");
            foreach (var kind in kinds)
            {
                manual_seed(1);
                int batch = kind switch { "fast" => 4, "adain" => 8, _ => 16 };
                double ours = kind switch
                {
                    "fast" => FastStep(dir.FullName, batch, warmup, iters),
                    "adain" => AdaInStep(dir.FullName, batch, warmup, iters),
                    "stylegan" => StyleGanStep(batch, warmup),
                    _ => throw new ArgumentException($"--kinds {kind}: expected fast, adain or stylegan"),
                };
                var (script, key, pyArgs) = kind == "stylegan"
                    ? ("stylegan_train_bench.py", "mean", new[] { "--batch", $"{batch}", "--threads", $"{threads}", "--warmup", $"{warmup}" })
                    : ("style_training_bench.py", "median", ["--kind", kind, "--batch", $"{batch}", "--size", "256", "--threads", $"{threads}", "--warmup", $"{warmup}", "--iters", $"{iters}"]);
                double torch = a.Has("--no-python") ? double.NaN : BenchSupport.Python(python, script, threads, pyArgs)?.GetProperty(key).GetDouble() ?? double.NaN;
                double reuse = a.Has("--no-python") ? double.NaN
                    : BenchSupport.Python(python, script, threads, reuseFreedMemory: true, pyArgs)?.GetProperty(key).GetDouble() ?? double.NaN;
                string name = kind switch
                {
                    "fast" => "fast style, VGG-16 losses, 4x256 px",
                    "adain" => "AdaIN decoder, VGG-19 relu4_1, 8x256 px",
                    _ => "StyleGAN2 32 px, 64 ch, batch 16 (mean of 16)",
                };
                Console.WriteLine($"{name,-44} {ours,9:0.000} {torch,9:0.000} {BenchSupport.Ratio(ours, torch),7} {reuse,14:0.000} {BenchSupport.Ratio(ours, reuse),7}");
            }
        }
        finally { dir.Delete(recursive: true); }
        return 0;
    }

    static double FastStep(string dir, int batch, int warmup, int iters)
    {
        using var vgg = Vgg.BuiltIn(upToLayer: "relu4_3", config: VggConfig.Vgg16);
        using var trainer = new FastStyleTrainer(new FastStyleTrainOptions
        {
            StyleImage = Path.Combine(dir, "style", "0.png"), ContentDir = Path.Combine(dir, "content"), Output = Path.Combine(dir, "fast.safetensors"),
            ImageSize = 256, BatchSize = batch, Seed = 1,
        }, vgg);
        return BenchSupport.MedianSeconds(warmup, iters, step => trainer.TrainStep(step));
    }

    static double AdaInStep(string dir, int batch, int warmup, int iters)
    {
        using var encoder = Vgg.BuiltInNormalised("relu4_1");
        using var trainer = new AdaInTrainer(new AdaInTrainOptions
        {
            ContentDir = Path.Combine(dir, "content"), StyleDir = Path.Combine(dir, "style"), Output = Path.Combine(dir, "decoder.safetensors"),
            LoadSize = 256, CropSize = 256, BatchSize = batch, Seed = 1,
        }, encoder);
        return BenchSupport.MedianSeconds(warmup, iters, step => trainer.TrainStep(step));
    }

    /// <summary>The mean of 16 consecutive steps after <paramref name="warmup"/>: one cycle of both lazy regularisers.</summary>
    static double StyleGanStep(int batch, int warmup)
    {
        var rng = new Random(1);
        var images = Enumerable.Range(0, 64).Select(_ => BenchSupport.Noise(32, 32, rng)).ToList();
        using var trainer = new StyleGanTrainer(new ImageFolderDataset(images, 32),
            new StyleGanTrainingOptions { Size = 32, StyleDim = 128, NMlp = 4, Channels = 64, BatchSize = batch, Seed = 1 });
        for (int i = 0; i < warmup; i++) trainer.TrainStep(i);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 16; i++) trainer.TrainStep(warmup + i);
        return clock.Elapsed.TotalSeconds / 16;
    }
}
