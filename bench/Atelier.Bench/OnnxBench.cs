using System.Diagnostics;
using Atelier.Networks;
using Atelier.Onnx.Export;
using Atelier.Runtime;
using Atelier.Style;
using Atelier.Translation;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace Atelier.Bench;

/// <summary>
/// Exported networks in ONNX Runtime against the same networks in Atelier (TorchSharp), same threads, one image:
/// TransformerNet at 512x512, a resnet_9blocks generator (ngf 64) at 256x256, AdaIN at 512x512; milliseconds per image.
/// Random weights: the speed does not depend on them.
/// </summary>
static class OnnxBench
{
    public static int Run(string[] argv)
    {
        var a = new BenchArgs(argv);
        int threads = a.Int("--threads", 2), iters = a.Int("--iters", 5), warmup = a.Int("--warmup", 2);
        TorchRuntime.SetThreads(threads);
        TorchRuntime.DisableNnpack();
        Console.WriteLine($"libtorch {TorchRuntime.Describe().LibTorchVersion}, ONNX Runtime (CPU), {threads} threads; load average {BenchSupport.LoadAverage()}");
        Console.WriteLine($"ms per image; warm-up {warmup}, median of {iters}");
        Console.WriteLine($"{"network",-22} {"input",-10} {"Atelier",9} {"ONNX Runtime",13} {"ratio",7}");
        manual_seed(1);
        var spec = GeneratorSpec.Parse("resnet_9blocks", 64, 3, 3, NormKind.Instance, false, parameter: "Arch");
        var cases = new (string Name, Func<ExportableNetwork> Make, int Size)[]
        {
            ("fast-style", () => ExportableNetwork.FastStyle(new TransformerNet()), 512),
            ("resnet_9blocks ngf64", () => ExportableNetwork.Translation(spec, spec.Build()), 256),
            ("adain", () => ExportableNetwork.AdaIn(Vgg.Normalised("relu4_1"), new AdaInDecoder()), 512),
        };
        foreach (var (name, make, size) in cases)
        {
            using var network = make();
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            using var session = new InferenceSession(OnnxExporter.Build(network).ToByteArray(), options);
            var inputs = network.Inputs.Select(i => i.IsImage ? rand(1, i.Channels, size, size) * (i.High - i.Low) + i.Low : tensor(new[] { 1f })).ToList();
            var feeds = network.Inputs.Zip(inputs, (i, t) => NamedOnnxValue.CreateFromTensor(i.Name,
                new DenseTensor<float>(t.data<float>().ToArray(), t.shape.Select(d => (int)d).ToArray()))).ToList();
            double ours = Time(warmup, iters, () => { using var scope = NewDisposeScope(); network.Reference(inputs); });
            double ort = Time(warmup, iters, () => { using var r = session.Run(feeds); });
            Console.WriteLine($"{name,-22} {$"{size}px",-10} {ours,9:0.0} {ort,13:0.0} {BenchSupport.Ratio(ours, ort),7}");
            foreach (var t in inputs) t.Dispose();
        }
        return 0;
    }

    static double Time(int warmup, int iters, Action run)
    {
        var times = new List<double>();
        for (int i = 0; i < warmup + iters; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            if (i >= warmup) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return BenchSupport.Median(times);
    }
}
