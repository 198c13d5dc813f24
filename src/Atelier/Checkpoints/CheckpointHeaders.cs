using Atelier.Checkpoints.Pickle;

namespace Atelier.Checkpoints;

/// <summary>
/// What a checkpoint holds, read without its tensor data and without libtorch (<see cref="Checkpoint.ReadHeaders"/>):
/// each tensor's dtype and shape under its flattened name, the safetensors metadata, the entries that hold no tensor,
/// and the architecture its keys match. Reading is as strict as loading: storages are located and their sizes
/// checked against the file, only their bytes are left unread.
/// </summary>
public sealed class CheckpointHeaders
{
    public string Path { get; }
    public CheckpointFormat Format { get; }
    /// <summary>Every tensor under its flattened name, as <see cref="CheckpointFile.StateDict"/> names it.</summary>
    public IReadOnlyDictionary<string, TensorHeader> Tensors { get; }
    /// <summary>The safetensors <c>__metadata__</c> (empty for PyTorch files).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Top-level entries that hold no tensor at all (epoch counters, args, options...), as plain data.</summary>
    public IReadOnlyDictionary<string, object?> NonTensorEntries { get; }

    internal CheckpointHeaders(string path, CheckpointFormat format, object? root, IReadOnlyDictionary<string, string>? metadata)
    {
        Path = path;
        Format = format;
        Metadata = metadata ?? new Dictionary<string, string>();
        try
        {
            var tensors = CheckpointTree.Flatten<TensorHeader>(root);
            Tensors = tensors;
            NonTensorEntries = CheckpointTree.NonTensorEntries(root, tensors.Keys);
        }
        catch (PickleException e) { throw new AtelierException($"{path}: {e.Message}"); }
    }

    /// <summary>True when the file has tensors under <paramref name="prefix"/> (as <see cref="CheckpointFile.Has"/>, without loading them).</summary>
    public bool Has(string prefix) => CheckpointTree.Holds(Tensors.Keys, prefix);

    /// <summary>Each tensor's shape, by name: what <see cref="ArchitectureRecognizer"/> reads.</summary>
    public IReadOnlyDictionary<string, long[]> Shapes => Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Shape, StringComparer.Ordinal);

    /// <summary>The architecture the file's keys and shapes match.</summary>
    public RecognizedArchitecture Identify() => ArchitectureRecognizer.Identify(Shapes, Metadata);
}
