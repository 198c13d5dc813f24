using System.Diagnostics;
using Atelier.Networks;
using Atelier.Onnx;
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
/// Every inference network Atelier runs, in Atelier (TorchSharp), in ONNX Runtime on the same weights, and in PyTorch
/// 1.13 as the reference code defines it (bench/python/inference_server.py: as users run it, and with Atelier's malloc
/// policy), same threads, interleaved: each round makes one call on each side (after warm-up rounds), and the median of
/// the rounds is reported in milliseconds per call with the ratio of Atelier to the best of the others. The ONNX graphs
/// are Atelier's own exports (verified equal to 1e-4 by `atelier export` and its tests); the built-in ResNet-18 runs its
/// own ONNX file. Random weights (the speed does not depend on them); the shipped sizes where a model ships.
/// `onnx [--threads 2] [--rounds 7] [--warmup 2] [--cases ID,ID] [--no-python]`.
/// </summary>
static class OnnxBench
{
    /// <summary>One case: what Atelier runs, and the ONNX model with the inputs ONNX Runtime runs it on.</summary>
    sealed record Case(string Id, string Name, string Input, Func<Prepared> Prepare);

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
        string python = a.Get("--python") ?? "/usr/bin/python3";
        using var pytorch = a.Has("--no-python") ? null : new PythonSide(python, threads, reuseFreedMemory: false);
        using var pytorchReuse = a.Has("--no-python") ? null : new PythonSide(python, threads, reuseFreedMemory: true);
        TorchRuntime.SetThreads(threads);
        TorchRuntime.DisableNnpack();
        Console.WriteLine($"libtorch {TorchRuntime.Describe().LibTorchVersion}, ONNX Runtime (CPU), {threads} threads, malloc {BenchSupport.AtelierMalloc}; load average {BenchSupport.LoadAverage()}");
        Console.WriteLine($"ms per call; {warmup} warm-up rounds, median of {rounds} interleaved rounds (one call of each side a round); ratio: Atelier / the best other");
        Console.WriteLine($"{"id",-13} {"network",-40} {"input",-6} {"Atelier",9} {"ORT",9} {"PyTorch",9} {"PT reuse",9} {"ratio",6}  best");
        foreach (var c in Cases().Where(c => only.Length == 0 || only.Contains(c.Id, StringComparer.OrdinalIgnoreCase)))
        {
            manual_seed(1);
            using var prepared = c.Prepare();
            using var options = OnnxSessions.ForPasses(threads); // its workers do not spin into the other sides' turns
            using var session = OnnxSessions.Open(prepared.Model, options, c.Name);
            var feeds = prepared.Inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name,
                new DenseTensor<float>(i.Value.contiguous().data<float>().ToArray(), i.Value.shape.Select(d => (int)d).ToArray()))).ToList();
            var times = new List<double>[4];
            for (int k = 0; k < times.Length; k++) times[k] = [];
            for (int r = 0; r < warmup + rounds; r++)
            {
                double t = Time(() => { using var scope = NewDisposeScope(); using var _ = no_grad(); prepared.Ours(); });
                double o = Time(() => { using var result = session.Run(feeds); });
                double py = pytorch?.Run(c.Id) ?? double.NaN, pyReuse = pytorchReuse?.Run(c.Id) ?? double.NaN;
                if (r < warmup) continue;
                times[0].Add(t); times[1].Add(o); times[2].Add(py); times[3].Add(pyReuse);
            }
            var m = times.Select(BenchSupport.Median).ToArray();
            string[] names = ["ONNX Runtime", "PyTorch", "PyTorch reuse"];
            int best = Enumerable.Range(1, 3).Where(k => double.IsFinite(m[k])).OrderBy(k => m[k]).DefaultIfEmpty(1).First();
            Console.WriteLine($"{c.Id,-13} {c.Name,-40} {c.Input,-6} {m[0],9:0.0} {m[1],9:0.0} {m[2],9:0.0} {m[3],9:0.0} {BenchSupport.Ratio(m[0], m[best]),6}  {names[best - 1]}");
        }
        return 0;
    }

    static IEnumerable<Case> Cases()
    {
        yield return Exported("fast-1x512", "fast-style TransformerNet", "1x512", () => ExportableNetwork.FastStyle(new TransformerNet()), 1, 512);
        yield return Exported("fast-4x256", "fast-style TransformerNet", "4x256", () => ExportableNetwork.FastStyle(new TransformerNet()), 4, 256);
        yield return Translation("resnet9-256", "resnet_9blocks", 64, NormKind.Instance, 256);           // CycleGAN's published generators
        yield return Translation("resnet6-128", "resnet_6blocks", 32, NormKind.Instance, 128);           // the shipped serif <-> sans model
        yield return Translation("unet256-256", "unet_256", 64, NormKind.Batch, 256);                   // pix2pix's published generators, eval mode
        yield return Translation("unet128-256", "unet_128", 16, NormKind.Batch, 256);                   // the shipped sketch model's size, eval mode
        yield return Exported("vgg19-512", "normalised VGG-19 to relu4_1 (AdaIN's encoder)", "1x512",
            () => new ExportableNetwork(Vgg.Normalised("relu4_1"), "vgg", "normalised VGG-19", 3, 512, (0f, 1f), [(64, 64), (48, 80)]), 1, 512);
        yield return Exported("adain-512", "AdaIN, normalised VGG-19 relu4_1", "1x512", () => ExportableNetwork.AdaIn(Vgg.Normalised("relu4_1"), new AdaInDecoder()), 1, 512);
        yield return StyleGan("stylegan-32", new StyleGanConfig(32, 128, 4, MaxChannels: 64));     // the shipped glyph model's shape
        yield return StyleGan("stylegan-256", new StyleGanConfig(256, 512, 8));                     // rosinality's layout at 256 px
        yield return ResNet18();
    }

    static Case Translation(string id, string arch, int ngf, NormKind norm, int size)
    {
        var spec = GeneratorSpec.Parse(arch, ngf, 3, 3, norm, false, parameter: "Arch");
        return Exported(id, $"{arch} ngf {ngf}, {(norm == NormKind.Batch ? "batch norm, eval" : "instance norm")}", $"1x{size}",
            () => ExportableNetwork.Translation(spec, spec.Build()), 1, size);
    }

    /// <summary>An exported network: Atelier runs <see cref="ExportableNetwork.Reference"/>, ONNX Runtime the export.</summary>
    static Case Exported(string id, string name, string input, Func<ExportableNetwork> make, int batch, int size) => new(id, name, input, () =>
    {
        var network = make();
        var inputs = network.Inputs.Select(i => (i.Name, i.IsImage ? rand(batch, i.Channels, size, size) * (i.High - i.Low) + i.Low
            : i.Dims is { } dims ? rand([.. dims.Select(d => d < 0 ? batch : d)]) * (i.High - i.Low) + i.Low : full(new long[] { 1 }, 1f))).ToList();
        var values = inputs.Select(i => i.Item2).ToList();
        return new Prepared(() => network.Reference(values), OnnxExporter.Build(network).ToByteArray(), inputs, network);
    });

    /// <summary>The synthesis network from w+ (stored noise), batch 1.</summary>
    static Case StyleGan(string id, StyleGanConfig config) =>
        new(id, $"StyleGAN2 synthesis {config.Size} px, {config.Channels(config.Size)}-{config.Channels(4)} ch", "w+", () =>
        {
            var network = StyleGanExport.Network(new StyleGanGenerator(config), StyleGanPart.Synthesis);
            var w = network.Inputs[0];
            var wplus = randn(1, w.Dims![1], w.Dims[2]) * 0.5;
            return new Prepared(() => network.Reference([wplus]), OnnxExporter.Build(network).ToByteArray(), [(w.Name, wplus)], network);
        });

    /// <summary>The built-in ImageNet ResNet-18 through its global pool: Atelier's graph against ONNX Runtime on the same file.</summary>
    static Case ResNet18() => new("resnet18-224", "ResNet-18 through its pool (built in)", "1x224", () =>
    {
        var net = ResNetFeatures.BuiltIn();
        var x = rand(1, 3, 224, 224) * 255 - 120; // what the graph takes: preprocessed, about ±128
        return new Prepared(() => net.RunGraph(x, ["avgpool"]), File.ReadAllBytes(ResNetFeatures.BuiltInPath), [(net.InputName, x)], net);
    });

    /// <summary>bench/python/inference_server.py in its own process, asked for one timed call at a time.</summary>
    sealed class PythonSide : IDisposable
    {
        readonly Process _process;
        bool _failed;

        public PythonSide(string python, int threads, bool reuseFreedMemory)
        {
            var psi = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false };
            psi.ArgumentList.Add(Path.Combine(BenchSupport.FindRepoRoot(), "bench", "python", "inference_server.py"));
            psi.ArgumentList.Add("--threads");
            psi.ArgumentList.Add($"{threads}");
            foreach (var (k, v) in BenchSupport.PythonEnvironment(threads, reuseFreedMemory)) psi.Environment[k] = v;
            _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + python);
        }

        /// <summary>Milliseconds of one call of case <paramref name="id"/>, or NaN when the Python side cannot run it.</summary>
        public double Run(string id)
        {
            if (_failed) return double.NaN;
            _process.StandardInput.WriteLine(id);
            _process.StandardInput.Flush();
            var line = _process.StandardOutput.ReadLine();
            if (line is not null && double.TryParse(line, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms)) return ms;
            Console.Error.WriteLine($"inference_server.py, {id}: {line ?? "ended"}");
            _failed = line is null;
            return double.NaN;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                try { _process.StandardInput.WriteLine("quit"); _process.StandardInput.Flush(); } catch (IOException) { }
                if (!_process.WaitForExit(5000)) _process.Kill();
            }
            _process.Dispose();
        }
    }

    static double Time(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalMilliseconds;
    }
}
