using Atelier.Imaging;
using Atelier.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan.Training;

/// <summary>
/// The training images of a folder, centre-cropped to squares and resized to the model size once, held as one
/// tensor in [-1, 1]. Batches are drawn in shuffled epochs with optional horizontal flips, from a
/// <see cref="TrainingRandom"/> whose state (with the order and cursor) a checkpoint saves.
/// </summary>
public sealed class ImageFolderDataset : IDisposable
{
    readonly Tensor _images;
    readonly int[] _order;
    int _cursor;

    public int Count => _order.Length;
    public int Size { get; }

    public ImageFolderDataset(IReadOnlyList<Image> images, int size)
    {
        if (images.Count == 0) throw new AtelierException("no training images");
        Size = size;
        var prepared = images.Select(im => Prepare(im, size)).ToList();
        _images = ImageTensors.ToTensor(prepared, ValueRange.MinusOneOne).DetachFromDisposeScope();
        _order = Enumerable.Range(0, images.Count).ToArray();
        _cursor = _order.Length; // shuffle on first use
    }

    /// <summary>Every image file directly in <paramref name="dir"/>.</summary>
    public static ImageFolderDataset Load(string dir, int size)
    {
        var files = Translation.TranslationData.ImagesIn(dir);
        return new ImageFolderDataset(files.Select(f => ImageIO.Load(f)).ToList(), size);
    }

    /// <summary>RGB, the largest centred square, resized (antialiased) to size x size.</summary>
    public static Image Prepare(Image image, int size)
    {
        var rgb = image.Channels == 3 ? image : ImageOps.ToRgb(image);
        int side = Math.Min(rgb.Width, rgb.Height);
        var square = rgb.Width == rgb.Height ? rgb : ImageOps.CenterCrop(rgb, side, side);
        return ImageResize.Resize(square, size, size);
    }

    /// <summary>The next <paramref name="batch"/> images (N, 3, size, size) in [-1, 1].</summary>
    public Tensor NextBatch(int batch, bool flip, TrainingRandom random, Device device)
    {
        using var scope = NewDisposeScope();
        var picked = new long[batch];
        var flips = new bool[batch];
        for (int i = 0; i < batch; i++)
        {
            if (_cursor >= _order.Length) { random.Shuffle(_order); _cursor = 0; }
            picked[i] = _order[_cursor++];
            flips[i] = flip && random.NextBool();
        }
        var x = _images.index_select(0, tensor(picked));
        if (flips.Any(f => f))
        {
            var mask = tensor(flips).view(-1, 1, 1, 1);
            x = where(mask, x.flip(3), x);
        }
        return x.to(device).MoveToOuterDisposeScope();
    }

    public string SaveState() => string.Join(",", _order) + ";" + _cursor.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void LoadState(string state)
    {
        var parts = state.Split(';');
        var order = parts[0].Split(',').Select(int.Parse).ToArray();
        if (parts.Length != 2 || order.Length != _order.Length)
            throw new AtelierException($"the checkpoint's data order covers {order.Length} images, the folder has {_order.Length} (another data set?)");
        order.CopyTo(_order, 0);
        _cursor = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => _images.Dispose();
}
