using Microsoft.ML.OnnxRuntime;

namespace Atelier.Onnx;

/// <summary>How Atelier opens ONNX Runtime sessions on its own exports (verification, the ONNX Runtime engine, the benchmark).</summary>
public static class OnnxSessions
{
    /// <summary>
    /// Options for repeated passes on <paramref name="threads"/> intra-op threads with every graph optimisation. Idle
    /// workers do not spin: they would otherwise hold the cores after each pass, taking them from whatever runs next.
    /// </summary>
    public static SessionOptions ForPasses(int threads)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /// <summary>A session on an exported model; ONNX Runtime's refusal becomes one line naming <paramref name="description"/>.</summary>
    public static InferenceSession Open(byte[] model, SessionOptions options, string description)
    {
        try { return new InferenceSession(model, options); }
        catch (OnnxRuntimeException e)
        {
            // ONNX Runtime's own message says on its first line which node it refused; keep that, not a stack trace.
            throw new AtelierException($"ONNX Runtime refused the exported {description}: {e.Message.Split('\n', 2)[0].Trim()}");
        }
    }
}
