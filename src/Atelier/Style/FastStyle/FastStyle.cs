using Atelier.Checkpoints;
using Atelier.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>Running a trained <see cref="TransformerNet"/> the way pytorch/examples' stylize does: input ×255, output clamped to 0..255.</summary>
public static class FastStyle
{
    /// <summary>
    /// Loads a trained network from a .pth (pytorch/examples' saved state dict, stale InstanceNorm statistics dropped),
    /// a .safetensors file written by <see cref="FastStyleTrainer"/>, or a training run's checkpoint.safetensors (its
    /// net.*, e.g. to try a run before it ends); in eval mode.
    /// </summary>
    public static TransformerNet LoadModel(string path, Device? device = null)
    {
        var sd = Checkpoint.LoadNetworkStateDict(path, ArchitectureKind.FastStyleRun);
        var net = new TransformerNet();
        try
        {
            net.LoadWeights(sd, path);
            if (device is not null) net.to(device);
            net.eval();
            return net;
        }
        catch { net.Dispose(); throw; }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }

    /// <summary>Stylises an (N, 3, H, W) batch on the 0..255 scale; the output is clamped to 0..255.</summary>
    public static Tensor Stylize(TransformerNet net, Tensor input0To255)
    {
        using var _ = no_grad();
        using var raw = net.forward(input0To255);
        return raw.clamp(0, 255);
    }

    /// <summary>
    /// Stylises same-sized RGB images as one batch (alpha, if any, is dropped; grey is expanded to RGB). Each result has
    /// its picture's size: sides that are not multiples of 4 (the network's two stride-2 steps) are reflection-padded
    /// and cropped back, as the tiled path does, so a batch, the studio and a single picture agree.
    /// </summary>
    public static List<Image> Stylize(TransformerNet net, IReadOnlyList<Image> images, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var rgb = images.Select(i => i.Channels == 3 ? i : ImageOps.ToRgb(i)).ToList();
        var x = ImageTensors.ToTensor(rgb, ValueRange.ZeroOne, device) * 255.0;
        int h = (int)x.shape[2], w = (int)x.shape[3];
        var (top, bottom) = Inference.ReflectPadding.PadFor(h, 4);
        var (left, right) = Inference.ReflectPadding.PadFor(w, 4);
        if (top + bottom + left + right > 0) x = Inference.ReflectPadding.ReflectPad(x, left, right, top, bottom);
        var y = Stylize(net, x) / 255.0;
        y = y[.., .., top..(top + h), left..(left + w)];
        return ImageTensors.FromBatch(y.cpu());
    }
}
