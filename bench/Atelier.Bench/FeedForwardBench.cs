using Atelier.Networks;
using Atelier.Runtime;
using Atelier.Style;
using static TorchSharp.torch;

namespace Atelier.Bench;

/// <summary>
/// Feed-forward stylisation speed: Johnson's TransformerNet and AdaIN (normalised VGG-19 to relu4_1 + decoder), one
/// 512x512 image and a batch of eight 256x256 images, milliseconds per image, side by side with the same networks in
/// PyTorch (bench/python/feedforward_bench.py) in one run. Random weights: the speed does not depend on them.
/// </summary>
static class FeedForwardBench
{
    public static int Run(string[] argv)
    {
        var a = new BenchArgs(argv);
        int threads = a.Int("--threads", 2), iters = a.Int("--iters", 5), warmup = a.Int("--warmup", 2);
        string python = a.Get("--python") ?? "/usr/bin/python3";
        TorchRuntime.SetThreads(threads);
        TorchRuntime.DisableNnpack();
        Console.WriteLine($"libtorch {TorchRuntime.Describe().LibTorchVersion}, {threads} threads; load average {BenchSupport.LoadAverage()}");
        Console.WriteLine($"feed-forward stylisation, ms per image; warm-up {warmup}, median of {iters}");

        manual_seed(1);
        using var fast = new TransformerNet();
        fast.eval();
        using var encoder = Vgg.Normalised("relu4_1");
        using var decoder = new AdaInDecoder();
        decoder.eval();
        using var adain = new AdaInStylizer(encoder, decoder);

        var cases = new (string Net, int Batch, int Size)[] { ("fast", 1, 512), ("fast", 8, 256), ("adain", 1, 512), ("adain", 8, 256) };
        string[] pyArgs = ["--threads", $"{threads}", "--warmup", $"{warmup}", "--iters", $"{iters}"];
        var reference = a.Has("--no-python") ? null : BenchSupport.Python(python, "feedforward_bench.py", threads, pyArgs);
        // The same script with Atelier's allocator policy: what of the ratio is malloc, what the kernels.
        var sameMalloc = a.Has("--no-python") ? null : BenchSupport.Python(python, "feedforward_bench.py", threads, reuseFreedMemory: true, pyArgs);

        Console.WriteLine();
        Console.WriteLine($"Atelier malloc policy: {BenchSupport.AtelierMalloc}; PyTorch as run by default, and with the reuse policy");
        Console.WriteLine($"{"network",-8} {"input",-12} {"Atelier ms/img",15} {"PyTorch ms/img",15} {"ratio",7} {"PyTorch reuse",14} {"ratio",7}");
        foreach (var (net, batch, size) in cases)
        {
            double ours = Time(warmup, iters, batch, () =>
            {
                using var scope = NewDisposeScope();
                var x = rand(batch, 3, size, size);
                if (net == "fast") FastStyle.Stylize(fast, x.mul(255));
                else if (batch == 1) adain.Stylize(x, [new StyleInput(rand(1, 3, size, size))]);
                else
                {
                    // The stylizer takes one image at a time; a batch goes through the same blocks it uses, as the
                    // Python side does: encode the batch and one style, AdaIN, decode.
                    using var _ = no_grad();
                    var fc = encoder.Features(x, ["relu4_1"])["relu4_1"];
                    var fs = encoder.Features(rand(1, 3, size, size), ["relu4_1"])["relu4_1"];
                    decoder.forward(AdaIn.Transfer(fc, fs)).clamp(0, 1);
                }
            });
            double torch = reference is { } r && r.TryGetProperty($"{net}_{batch}x{size}", out var v) ? v.GetDouble() : double.NaN;
            double torchReuse = sameMalloc is { } m && m.TryGetProperty($"{net}_{batch}x{size}", out var w) ? w.GetDouble() : double.NaN;
            Console.WriteLine($"{net,-8} {$"{batch}x{size}px",-12} {ours,15:0.0} {torch,15:0.0} {BenchSupport.Ratio(ours, torch),7} {torchReuse,14:0.0} {BenchSupport.Ratio(ours, torchReuse),7}");
        }
        return 0;
    }

    /// <summary>Milliseconds per image: the median call over the batch.</summary>
    static double Time(int warmup, int iters, int batch, Action run) =>
        BenchSupport.MedianSeconds(warmup, iters, _ => run()) * 1000 / batch;
}
