namespace Atelier.Inference;

/// <summary>Which runtime computes a feed-forward network's passes.</summary>
public enum InferenceEngine
{
    /// <summary>Atelier's own layers on libtorch (TorchSharp): every network, tiling with shared statistics, any device.</summary>
    Torch,

    /// <summary>
    /// ONNX Runtime on Atelier's export of the same network (<see cref="Onnx.Export.OnnxExporter"/>, equal to 1e-4), on
    /// the CPU: it prepacks weights once and fuses layers, so small generators and U-Nets run up to 2.5x faster
    /// (docs/performance.md).
    /// </summary>
    OnnxRuntime,
}

/// <summary>The engines' names as options spell them.</summary>
public static class InferenceEngines
{
    public static readonly IReadOnlyList<string> Names = ["torch", "onnxruntime"];

    public static InferenceEngine Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "torch" => InferenceEngine.Torch,
        "onnxruntime" or "onnx" or "ort" => InferenceEngine.OnnxRuntime,
        _ => throw new AtelierUsageException($"{{Engine}} {text}: expected torch or onnxruntime"),
    };
}
