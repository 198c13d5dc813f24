using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Onnx.Export;

/// <summary>
/// Runs an exported model in ONNX Runtime on a seeded input at each of the network's verification sizes and compares
/// its output with the network's own (on the CPU, in float32).
/// </summary>
public static class OnnxVerifier
{
    /// <summary>The largest relative difference an export may show (see <see cref="OnnxSizeCheck"/>).</summary>
    public const double Tolerance = 1e-4;

    public static OnnxVerification Verify(byte[] model, ExportableNetwork network, int seed = 0)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using (var session = OnnxSessions.Open(model, options, network.Description))
        {
            var checks = new List<OnnxSizeCheck>();
            int index = 0;
            for (int c = 0; c < network.VerifySizes.Count; c++)
            {
                var (h, w) = network.VerifySizes[c];
                int n = network.VerifyBatches[c];
                using var scope = NewDisposeScope();
                var feeds = new List<NamedOnnxValue>();
                var tensors = new List<TorchSharp.torch.Tensor>();
                foreach (var input in network.Inputs)
                {
                    // The first image at the size being checked, further images at its transpose, values of one element as such.
                    int[] dims = !input.IsImage ? [.. input.Dims!.Select(d => d < 0 ? n : (int)d)]
                        : ReferenceEquals(input, network.Inputs.First(i => i.IsImage)) ? [n, (int)input.Channels, h, w] : [n, (int)input.Channels, w, h];
                    var values = SeededValues(input, dims.Aggregate(1, (a, b) => a * b), seed + 101 * index++);
                    feeds.Add(NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<float>(values, dims)));
                    tensors.Add(tensor(values, [.. dims.Select(d => (long)d)]));
                }
                var reference = network.Reference(tensors).to(ScalarType.Float32, CPU).contiguous();
                var expected = reference.data<float>().ToArray();

                using var results = session.Run(feeds);
                var output = results.First().AsTensor<float>();
                var shape = output.Dimensions.ToArray().Select(d => (long)d).ToArray();
                if (!shape.SequenceEqual(reference.shape))
                    throw new AtelierException($"the exported {network.Description} gives shape [{string.Join(", ", shape)}] at {n}x{h}x{w}, Atelier [{string.Join(", ", reference.shape)}]");
                var actual = output.ToArray();
                double maxAbs = 0, scale = 0;
                for (int i = 0; i < expected.Length; i++)
                {
                    double d = Math.Abs((double)actual[i] - expected[i]);
                    // NaN anywhere fails the check rather than vanishing in Math.Max.
                    if (double.IsNaN(d)) d = double.PositiveInfinity;
                    maxAbs = Math.Max(maxAbs, d);
                    scale = Math.Max(scale, Math.Abs(expected[i]));
                }
                checks.Add(new OnnxSizeCheck(n, h, w, shape, maxAbs, scale > 0 ? maxAbs / scale : maxAbs));
            }
            return new OnnxVerification(checks, Tolerance, seed);
        }
    }

    /// <summary>Uniform values over the input's range from a seeded generator (the same input every run).</summary>
    static float[] SeededValues(ExportInput input, int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = input.Low + (input.High - input.Low) * random.NextSingle();
        return values;
    }
}
