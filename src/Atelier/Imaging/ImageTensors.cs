using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Imaging;

/// <summary>The value range of image tensors at a network's input or output.</summary>
public enum ValueRange
{
    /// <summary>[0,1], as stored in <see cref="Image"/>.</summary>
    ZeroOne,
    /// <summary>[-1,1] (x * 2 - 1), what most generators (pix2pix, CycleGAN, StyleGAN) use.</summary>
    MinusOneOne,
}

/// <summary>
/// Image &lt;-&gt; float32 tensor in NCHW layout. Image data is already planar CHW, so each conversion is one bulk
/// memory pass (a copy, or for [-1,1] a vectorised affine map), with no per-pixel calls.
/// </summary>
public static class ImageTensors
{
    /// <summary>A (1, C, H, W) float32 tensor on <paramref name="device"/> (CPU by default).</summary>
    public static Tensor ToTensor(Image image, ValueRange range = ValueRange.ZeroOne, Device? device = null) =>
        ToTensor([image], range, device);

    /// <summary>An (N, C, H, W) batch; every image must have the same size and channel count.</summary>
    public static Tensor ToTensor(IReadOnlyList<Image> images, ValueRange range = ValueRange.ZeroOne, Device? device = null)
    {
        if (images.Count == 0) throw new ArgumentException("cannot make a batch of zero images", nameof(images));
        var first = images[0];
        for (int i = 1; i < images.Count; i++)
            if (images[i].Width != first.Width || images[i].Height != first.Height || images[i].Channels != first.Channels)
                throw new ArgumentException($"batch images differ: image 0 is {first.Width}x{first.Height}x{first.Channels}, image {i} is {images[i].Width}x{images[i].Height}x{images[i].Channels}", nameof(images));
        long per = first.Data.LongLength;
        var t = empty([images.Count, first.Channels, first.Height, first.Width], ScalarType.Float32);
        try
        {
            // A fresh CPU tensor is contiguous: its storage is the NCHW array itself.
            var dst = MemoryMarshal.Cast<byte, float>(t.bytes);
            for (int i = 0; i < images.Count; i++)
            {
                var target = dst.Slice((int)(i * per), (int)per);
                if (range == ValueRange.MinusOneOne)
                {
                    TensorPrimitives.Multiply(images[i].Data, 2f, target);
                    TensorPrimitives.Add(target, -1f, target);
                }
                else images[i].Data.AsSpan().CopyTo(target);
            }
            if (device is null || device.type == DeviceType.CPU) return t;
            var moved = t.to(device);
            t.Dispose();
            return moved;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An image from a (C, H, W) or (1, C, H, W) tensor with C = 1, 3 or 4, on any device and of any float dtype.
    /// Values are mapped from <paramref name="range"/> to [0,1] and clamped (NaN becomes 0). The tensor is not modified.
    /// </summary>
    public static Image FromTensor(Tensor tensor, ValueRange range = ValueRange.ZeroOne)
    {
        var shape = tensor.shape;
        if (shape.Length == 4 && shape[0] == 1) shape = shape[1..];
        if (shape.Length != 3)
            throw new ArgumentException($"expected a (C,H,W) or (1,C,H,W) tensor, got ({string.Join(",", tensor.shape)})", nameof(tensor));
        using var scope = NewDisposeScope(); // frees the reshaped view
        return FromChw(tensor.reshape(shape), range, "tensor");
    }

    /// <summary>Every image of an (N, C, H, W) batch.</summary>
    public static List<Image> FromBatch(Tensor batch, ValueRange range = ValueRange.ZeroOne)
    {
        if (batch.dim() != 4)
            throw new ArgumentException($"expected an (N,C,H,W) tensor, got ({string.Join(",", batch.shape)})", nameof(batch));
        var result = new List<Image>((int)batch.shape[0]);
        for (long i = 0; i < batch.shape[0]; i++)
        {
            using var scope = NewDisposeScope();
            result.Add(FromChw(batch[i], range, $"batch item {i}"));
        }
        return result;
    }

    static Image FromChw(Tensor chw, ValueRange range, string what)
    {
        using var scope = NewDisposeScope();
        int c = (int)chw.shape[0], h = (int)chw.shape[1], w = (int)chw.shape[2];
        if (c is not (1 or 3 or 4)) throw new ArgumentException($"{what} has {c} channels; an image has 1, 3 or 4");
        // No copy when the tensor is already a contiguous float32 CPU tensor; the mapping and clamping happen
        // while copying into the image (one vectorised pass), so the caller's tensor is never modified.
        var t = chw.detach().to(DeviceType.CPU).to_type(ScalarType.Float32).contiguous();
        var image = new Image(w, h, c);
        var src = MemoryMarshal.Cast<byte, float>(t.bytes);
        if (range == ValueRange.MinusOneOne)
        {
            TensorPrimitives.Add(src, 1f, image.Data);
            TensorPrimitives.Multiply(image.Data, 0.5f, image.Data);
        }
        else src.CopyTo(image.Data);
        ImageOps.ClampInPlace(image);
        return image;
    }
}
