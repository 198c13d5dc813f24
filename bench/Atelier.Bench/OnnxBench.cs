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
using Tensor = TorchSharp.torch.Tensor;
using StyleGanGenerator = Atelier.StyleGan.Generator;
using StyleGanConfig = Atelier.StyleGan.GeneratorConfig;

namespace Atelier.Bench;

/// <summary>
/// Every inference network Atelier runs, in Atelier (TorchSharp) and in ONNX Runtime on the same weights, same threads,
/// interleaved: each round runs one call of each side (after warm-up rounds), and the median of the rounds is reported in
/// milliseconds per call with the ratio Atelier / ONNX Runtime. The graphs are Atelier's own exports (verified equal to
/// 1e-4 by `atelier export` and its tests); the built-in ResNet-18 runs its own ONNX file. Random weights where the
/// speed does not depend on them; the shipped sizes where a model ships.
/// `onnx [--threads 2] [--rounds 7] [--warmup 2] [--cases NAME,NAME]`.
/// </summary>
static class OnnxBench
{
    /// <summary>One case: what Atelier runs, and the ONNX model with the inputs ONNX Runtime runs it on.</summary>
    sealed record Case(string Name, string Input, Func<Prepared> Prepare);

    sealed class Prepared(Action ours, byte[] model, IReadOnlyList<(string Name, Tensor Value)> inputs, IDisposable owner) : IDisposable
    {
        public Action Ours => ours;
        public byte[] Model => model;
        public IReadOnlyList<(string Name, Tensor Value)> Inputs => inputs;
        public void Dispose()
        {
            owner.Dispose();
            foreach (var (_, t) in inputs) t.Dispose();
        }
    }

    public static int Run(string[] argv)
    {
        var a = new BenchArgs(argv);
        int threads = a.Int("--threads", 2), rounds = a.Int("--rounds", a.Int("--iters", 7)), warmup = a.Int("--warmup", 2);
        var only = (a.Get("--cases") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        TorchRuntime.SetThreads(threads);
        TorchRuntime.DisableNnpack();
        Console.WriteLine($"libtorch {TorchRuntime.Describe().LibTorchVersion}, ONNX Runtime (CPU), {threads} threads, malloc {BenchSupport.AtelierMalloc}; load average {BenchSupport.LoadAverage()}");
        Console.WriteLine($"ms per call; {warmup} warm-up rounds, median of {rounds} interleaved rounds (one call of each side a round)");
        Console.WriteLine($"{"network",-34} {"input",-12} {"Atelier",9} {"ONNX Runtime",13} {"ratio",7}");
        foreach (var c in Cases().Where(c => only.Length == 0 || only.Contains(c.Name, StringComparer.OrdinalIgnoreCase)))
        {
            manual_seed(1);
            using var prepared = c.Prepare();
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            // Its idle workers would otherwise spin on the cores for a while after each call, into Atelier's turn.
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            using var session = new InferenceSession(prepared.Model, options);
            var feeds = prepared.Inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name,
                new DenseTensor<float>(i.Value.contiguous().data<float>().ToArray(), i.Value.shape.Select(d => (int)d).ToArray()))).ToList();
            var ours = new List<double>();
            var ort = new List<double>();
            for (int r = 0; r < warmup + rounds; r++)
            {
                double t = Time(() => { using var scope = NewDisposeScope(); using var _ = no_grad(); prepared.Ours(); });
                double o = Time(() => { using var result = session.Run(feeds); });
                if (r < warmup) continue;
                ours.Add(t);
                ort.Add(o);
            }
            double m = BenchSupport.Median(ours), mo = BenchSupport.Median(ort);
            Console.WriteLine($"{c.Name,-34} {c.Input,-12} {m,9:0.0} {mo,13:0.0} {BenchSupport.Ratio(m, mo),7}");
        }
        return 0;
    }

    static IEnumerable<Case> Cases()
    {
        yield return Exported("fast-style", "1x512", () => ExportableNetwork.FastStyle(new TransformerNet()), 1, 512);
        yield return Exported("fast-style", "4x256", () => ExportableNetwork.FastStyle(new TransformerNet()), 4, 256);
        yield return Translation("resnet_9blocks", 64, NormKind.Instance, 256);           // CycleGAN's published generators
        yield return Translation("resnet_6blocks", 32, NormKind.Instance, 128);           // the shipped serif <-> sans model
        yield return Translation("unet_256", 64, NormKind.Batch, 256);                   // pix2pix's published generators, eval mode
        yield return Translation("unet_128", 16, NormKind.Batch, 256);                   // the shipped sketch model's size, eval mode
        yield return Exported("adain (vgg relu4_1)", "1x512", () => ExportableNetwork.AdaIn(Vgg.Normalised("relu4_1"), new AdaInDecoder()), 1, 512);
        yield return StyleGan(new StyleGanConfig(32, 128, 4, MaxChannels: 64), "w+");     // the shipped glyph model's shape
        yield return StyleGan(new StyleGanConfig(256, 512, 8), "w+");                     // rosinality's layout at 256 px
        yield return ResNet18();
    }

    static Case Translation(string arch, int ngf, NormKind norm, int size)
    {
        var spec = GeneratorSpec.Parse(arch, ngf, 3, 3, norm, false, parameter: "Arch");
        return Exported($"{arch} ngf {ngf} ({(norm == NormKind.Batch ? "batch" : "instance")} norm)", $"1x{size}",
            () => ExportableNetwork.Translation(spec, spec.Build()), 1, size);
    }

    /// <summary>An exported network: Atelier runs <see cref="ExportableNetwork.Reference"/>, ONNX Runtime the export.</summary>
    static Case Exported(string name, string input, Func<ExportableNetwork> make, int batch, int size) => new(name, input, () =>
    {
        var network = make();
        var inputs = network.Inputs.Select(i => (i.Name, i.IsImage ? rand(batch, i.Channels, size, size) * (i.High - i.Low) + i.Low
            : i.Dims is { } dims ? rand([.. dims.Select(d => d < 0 ? batch : d)]) * (i.High - i.Low) + i.Low : full(new long[] { 1 }, 1f))).ToList();
        var values = inputs.Select(i => i.Item2).ToList();
        return new Prepared(() => network.Reference(values), OnnxExporter.Build(network).ToByteArray(), inputs, network);
    });

    /// <summary>The synthesis network from w+ (stored noise), batch 1.</summary>
    static Case StyleGan(StyleGanConfig config, string input) =>
        new($"stylegan2 synthesis {config.Size}px", input, () =>
        {
            var network = StyleGanExport.Network(new StyleGanGenerator(config), StyleGanPart.Synthesis);
            var w = network.Inputs[0];
            var wplus = randn(1, w.Dims![1], w.Dims[2]) * 0.5;
            return new Prepared(() => network.Reference([wplus]), OnnxExporter.Build(network).ToByteArray(), [(w.Name, wplus)], network);
        });

    /// <summary>The built-in ImageNet ResNet-18 through its global pool: Atelier's graph against ONNX Runtime on the same file.</summary>
    static Case ResNet18() => new("resnet-18 features (built in)", "1x224", () =>
    {
        var net = ResNetFeatures.BuiltIn();
        var x = rand(1, 3, 224, 224) * 255 - 120; // what the graph takes: preprocessed, about ±128
        return new Prepared(() => net.RunGraph(x, ["avgpool"]), File.ReadAllBytes(ResNetFeatures.BuiltInPath), [(net.InputName, x)], net);
    });

    static double Time(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalMilliseconds;
    }
}
