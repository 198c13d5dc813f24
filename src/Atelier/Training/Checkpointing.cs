using Atelier.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training;

/// <summary>
/// Run checkpoints as safetensors files (<see cref="SafeTensors"/>): named tensors plus string metadata (step,
/// options, RNG and optimiser scalars), written atomically so a crash or Ctrl+C never leaves a torn checkpoint.
/// </summary>
public static class Checkpointing
{
    /// <summary>Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
        SafeTensors.Save(path, tensors, metadata);

    /// <summary>Reads a run checkpoint: CPU tensors and metadata (dispose the result to free the tensors).</summary>
    public static SafeTensorsContent Load(string path)
    {
        if (!File.Exists(path)) throw new AtelierException($"{path}: checkpoint not found");
        return SafeTensors.Load(path);
    }

    /// <summary>A tensor a checkpoint must hold, of <paramref name="shape"/> when given.</summary>
    public static Tensor Require(IReadOnlyDictionary<string, Tensor> tensors, string key, long[]? shape)
    {
        if (!tensors.TryGetValue(key, out var t)) throw new AtelierException($"checkpoint lacks tensor {key} (written by another kind of run?)");
        if (shape != null && !t.shape.SequenceEqual(shape))
            throw new AtelierException($"checkpoint tensor {key} is [{string.Join(",", t.shape)}], expected [{string.Join(",", shape)}] (another architecture?)");
        return t;
    }

    public static string Require(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var v) ? v : throw new AtelierException($"checkpoint lacks metadata {key} (written by another kind of run?)");

    /// <summary>Copies a module's parameters and buffers from <paramref name="tensors"/> under <paramref name="prefix"/>, checking names and shapes.</summary>
    public static void LoadModule(nn.Module module, string prefix, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var noGrad = no_grad();
        foreach (var (name, target) in module.state_dict())
            target.copy_(Require(tensors, $"{prefix}.{name}", target.shape));
    }

    /// <summary>Adds a module's parameters and buffers under <paramref name="prefix"/>.</summary>
    public static void AddModule(nn.Module module, string prefix, IDictionary<string, Tensor> tensors)
    {
        foreach (var (name, t) in module.state_dict()) tensors[$"{prefix}.{name}"] = t;
    }
}
