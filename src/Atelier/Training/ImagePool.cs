using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training;

/// <summary>
/// The reference's ImagePool (Shrivastava et al.): the discriminator sees a mix of the newest fakes and up to
/// <c>capacity</c> older ones, which steadies GAN training. Until full, every image is stored and returned; then
/// each image, with probability 1/2, is swapped for a random stored one (which is returned instead).
/// </summary>
public sealed class ImagePool : IDisposable
{
    readonly List<Tensor> _images = [];
    public int Capacity { get; }
    public int Count => _images.Count;

    public ImagePool(int capacity = 50)
    {
        if (capacity < 0) throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
    }

    /// <summary>A batch for the discriminator (detached), drawing from and updating the pool.</summary>
    public Tensor Query(Tensor images, TrainingRandom random)
    {
        using var noGrad = no_grad();
        if (Capacity == 0) return images.detach();
        var result = new List<Tensor>();
        var swappedOut = new List<Tensor>();
        using var scope = NewDisposeScope();
        for (long i = 0; i < images.shape[0]; i++)
        {
            var image = images[i].unsqueeze(0).detach().clone();
            if (_images.Count < Capacity)
            {
                _images.Add(image.clone().DetachFromDisposeScope());
                result.Add(image);
            }
            else if (random.NextDouble() > 0.5)
            {
                int id = random.Next(Capacity);
                result.Add(_images[id]);
                swappedOut.Add(_images[id]);
                _images[id] = image.clone().DetachFromDisposeScope();
            }
            else result.Add(image);
        }
        var batch = cat(result, 0).MoveToOuterDisposeScope();
        foreach (var t in swappedOut) t.Dispose(); // left the pool; cat copied them
        return batch;
    }

    public void SaveState(string prefix, IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata)
    {
        for (int i = 0; i < _images.Count; i++) tensors[$"{prefix}.{i}"] = _images[i];
        metadata[$"{prefix}.count"] = _images.Count.ToString(CultureInfo.InvariantCulture);
    }

    public void LoadState(string prefix, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Clear();
        int count = int.Parse(Checkpointing.Require(metadata, $"{prefix}.count"), CultureInfo.InvariantCulture);
        for (int i = 0; i < count; i++)
            _images.Add(Checkpointing.Require(tensors, $"{prefix}.{i}", null).clone().DetachFromDisposeScope());
    }

    void Clear()
    {
        foreach (var t in _images) t.Dispose();
        _images.Clear();
    }

    public void Dispose() => Clear();
}
