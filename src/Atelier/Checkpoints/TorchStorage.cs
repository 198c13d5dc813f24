using Atelier.Checkpoints.Pickle;
using static TorchSharp.torch;

namespace Atelier.Checkpoints;

/// <summary>
/// A PyTorch storage named by a checkpoint's pickle (its persistent id): which raw block of the file holds it,
/// its element type and how many elements it declares. Readers check the declaration against the real size of
/// the block before anything is allocated.
/// </summary>
public sealed record StorageRef(string Key, ScalarType DType, long Numel, string Location)
{
    public long ByteLength => checked(Numel * Checkpoints.DType.SizeOf(DType));
}

/// <summary>
/// A tensor as the pickle describes it (storage, element offset, sizes, strides), not yet read: readers
/// materialise it once every storage has been validated, as a contiguous TorchSharp tensor.
/// </summary>
public sealed class TensorRecord
{
    public const int MaxDims = 64;

    public StorageRef Storage { get; }
    public long Offset { get; }
    public long[] Size { get; }
    public long[] Stride { get; }

    public TensorRecord(StorageRef storage, long offset, long[] size, long[] stride)
    {
        if (size.Length != stride.Length) throw new PickleException($"tensor has {size.Length} sizes but {stride.Length} strides");
        if (size.Length > MaxDims) throw new PickleException($"tensor has {size.Length} dimensions");
        if (offset < 0 || size.Any(s => s < 0) || stride.Any(s => s < 0)) throw new PickleException("tensor has a negative offset, size or stride");
        try
        {
            long numel = 1;
            long last = offset; // index of the last element the view touches
            for (int i = 0; i < size.Length; i++)
            {
                numel = checked(numel * size[i]);
                if (size[i] > 0) last = checked(last + (size[i] - 1) * stride[i]);
            }
            Numel = numel;
            if (numel > 0 && last >= storage.Numel)
                throw new PickleException($"tensor view [{string.Join(", ", size)}] at offset {offset} with strides ({string.Join(", ", stride)}) reaches element {last} of a {storage.Numel}-element storage");
        }
        catch (OverflowException) { throw new PickleException($"tensor of shape [{string.Join(", ", size)}] is impossibly large"); }
        Storage = storage;
        Offset = offset;
        Size = size;
        Stride = stride;
    }

    public long Numel { get; }

    /// <summary>True when the tensor is exactly its whole storage in row-major order (no copy needed).</summary>
    public bool IsWholeStorage
    {
        get
        {
            if (Offset != 0 || Numel != Storage.Numel) return false;
            long expected = 1;
            for (int i = Size.Length - 1; i >= 0; i--)
            {
                if (Size[i] != 1 && Stride[i] != expected) return false;
                expected *= Size[i];
            }
            return true;
        }
    }
}

/// <summary>
/// A tensor's dtype and shape as a checkpoint declares them, its data left unread: what inspecting or recognising a
/// file needs (<see cref="Checkpoint.ReadHeaders"/>), without loading libtorch.
/// </summary>
public sealed record TensorHeader(ScalarType DType, long[] Shape)
{
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);
}
