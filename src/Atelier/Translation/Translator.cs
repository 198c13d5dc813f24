using Atelier.Imaging;
using Atelier.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Translation;

/// <summary>
/// Runs a pix2pix/CycleGAN generator on images of any size: the image is padded by reflection up to the
/// network's multiple (2^downsamplings for a U-Net, 4 for a ResNet), translated, and cropped back, so the
/// output has exactly the input's size.
/// </summary>
public sealed class Translator : IImageNetwork, IDisposable
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
    public static (int Before, int After) PadFor(long size, int multiple) => ReflectPadding.PadFor(size, multiple);

    /// <summary>Reflection padding of any amount (see <see cref="ReflectPadding.ReflectPad"/>).</summary>
    public static Tensor ReflectPad(Tensor x, int left, int right, int top, int bottom) => ReflectPadding.ReflectPad(x, left, right, top, bottom);

    // IImageNetwork: for tiled inference (TiledInference) and video.
    string IImageNetwork.Name => Spec.Name;
    int IImageNetwork.Multiple => Spec.Multiple;
    /// <summary>About the receptive-field radius: a ResNet's (84 px for 9 blocks), or the U-Net's multiple.</summary>
    int IImageNetwork.Overlap => Spec.Family == GeneratorFamily.Resnet ? 128 : Spec.Multiple;
    /// <summary>
    /// ResNet: measured peak of one tile's forward pass (docs/any-size.md: 220-270 bytes a pixel at ngf 16, 655-710 at
    /// ngf 64, 256-512 px tiles) with a margin, as 96 + 12 ngf. U-Net: not measured; the earlier, larger 48 ngf is kept.
    /// </summary>
    long IImageNetwork.BytesPerPixel => Spec.Family == GeneratorFamily.Resnet ? 96 + 12 * Spec.Ngf : Math.Max(1, Spec.Ngf * 48);
    /// <summary>Instance norm statistics are shared between tiles; BatchNorm in train mode (batch statistics) is not (translate warns).</summary>
    bool IImageNetwork.UsesStatistics => Spec.Norm == NormKind.Instance;
    int IImageNetwork.OutputChannels => (int)Spec.OutputNc;
    /// <summary>The image itself when it has the channels the generator takes (no whole-image copy), else converted.</summary>
    Image IImageNetwork.PrepareInput(Image image) => (image.Channels == Spec.InputNc && image.Channels is 1 or 3) ? image
        : Spec.InputNc == 1 ? ImageOps.ToGray(image) : ImageOps.ToRgb(image);
    Tensor IImageNetwork.Forward(Tensor input01)
    {
        using var scope = NewDisposeScope();
        // In place where the tensor is this method's own: fewer input- and output-sized temporaries per tile.
        var y = TranslateTensor((input01 * 2).sub_(1));
        return y.add_(1).div_(2).MoveToOuterDisposeScope();
    }

    public void Dispose() => Generator.Dispose();
}
