using Atelier.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Translation;

/// <summary>
/// Runs a pix2pix/CycleGAN generator on images of any size: the image is padded by reflection up to the
/// network's multiple (2^downsamplings for a U-Net, 4 for a ResNet), translated, and cropped back, so the
/// output has exactly the input's size.
/// </summary>
public sealed class Translator : IDisposable
{
    public GeneratorSpec Spec { get; }
    public nn.Module<Tensor, Tensor> Generator { get; }
    public Device Device { get; }

    /// <summary>
    /// True: eval mode (BatchNorm running statistics, no dropout). False: the reference's test default, train
    /// mode (batch statistics, dropout on), which its pix2pix results were made with.
    /// </summary>
    public bool EvalMode { get; }

    public Translator(GeneratorSpec spec, nn.Module<Tensor, Tensor> generator, bool evalMode, Device? device = null)
    {
        Spec = spec;
        Device = device ?? CPU;
        Generator = generator.to(Device);
        EvalMode = evalMode;
    }

    public static Translator Load(string checkpoint, bool evalMode, string? arch = null, Direction? direction = null, Device? device = null)
    {
        var (spec, g) = TranslationCheckpoint.LoadGenerator(checkpoint, arch, direction);
        return new Translator(spec, g, evalMode, device);
    }

    /// <summary>Translates one image (any channel count: converted to what the network takes).</summary>
    public Image Translate(Image image)
    {
        using var scope = NewDisposeScope();
        var input = Spec.InputNc == 1 ? ImageOps.ToGray(image) : ImageOps.ToRgb(image);
        var x = ImageTensors.ToTensor(input, ValueRange.MinusOneOne, Device);
        var y = TranslateTensor(x);
        return ImageTensors.FromTensor(y, ValueRange.MinusOneOne);
    }

    /// <summary>Translates an (N, C, H, W) batch in [-1, 1] of any size; the result has the same H and W.</summary>
    public Tensor TranslateTensor(Tensor x)
    {
        using var scope = NewDisposeScope();
        if (EvalMode) Generator.eval(); else Generator.train();
        using var noGrad = no_grad();
        long h = x.shape[2], w = x.shape[3];
        var (top, bottom) = PadFor(h, Spec.Multiple);
        var (left, right) = PadFor(w, Spec.Multiple);
        var padded = ReflectPad(x, left, right, top, bottom);
        var y = Generator.forward(padded);
        return y[.., .., top..(top + (int)h), left..(left + (int)w)].contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Padding before and after to bring <paramref name="size"/> up to a multiple of <paramref name="multiple"/> (split evenly).</summary>
    public static (int Before, int After) PadFor(long size, int multiple)
    {
        long target = Math.Max(multiple, (size + multiple - 1) / multiple * multiple);
        int total = (int)(target - size);
        return (total / 2, total - total / 2);
    }

    /// <summary>
    /// Reflection padding of any amount: libtorch's reflect pad must be smaller than the side, so large pads
    /// (a 100 px image going to 256) are done in steps, each reflecting the already padded image.
    /// </summary>
    public static Tensor ReflectPad(Tensor x, int left, int right, int top, int bottom)
    {
        var current = x.alias();
        while (left + right + top + bottom > 0)
        {
            long h = current.shape[2], w = current.shape[3];
            int l = (int)Math.Min(left, w - 1), r = (int)Math.Min(right, w - 1);
            int t = (int)Math.Min(top, h - 1), b = (int)Math.Min(bottom, h - 1);
            if (l + r + t + b == 0) // a 1-pixel side cannot reflect: repeat the edge instead
            {
                current = nn.functional.pad(current, [left, right, top, bottom], PaddingModes.Replicate);
                break;
            }
            current = nn.functional.pad(current, [l, r, t, b], PaddingModes.Reflect);
            left -= l; right -= r; top -= t; bottom -= b;
        }
        return current;
    }

    public void Dispose() => Generator.Dispose();
}
