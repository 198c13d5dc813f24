using TorchSharp;
using static TorchSharp.torch;
using Atelier.Networks;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

/// <summary>
/// A known operator D applied to the generator's output before the inversion loss, so that the latent is found
/// from a degraded observation y: minimise loss(D(G(w)), y). The generator then fills in what D threw away
/// (Image2StyleGAN's super-resolution, inpainting, sketch-to-image and colourisation). Images are (N, C, H, W)
/// in [-1, 1].
/// </summary>
public abstract class Degradation
{
    /// <summary>D applied to a generated image.</summary>
    public abstract Tensor Apply(Tensor image);

    /// <summary>The observation in the space D maps to (by default the target as given).</summary>
    public virtual Tensor Observe(Tensor target) => target.alias();

    /// <summary>A short name for reports.</summary>
    public abstract string Name { get; }

    /// <summary>A factor-f box downsampling (area average): the observation is the low-resolution image.</summary>
    public static Degradation Downsample(int factor) => new DownsampleDegradation(factor);

    /// <summary>Keeps the pixels where <paramref name="mask"/> (N or 1, 1, H, W) is 1: the loss ignores the hole.</summary>
    public static Degradation Mask(Tensor mask) => new MaskDegradation(mask);

    /// <summary>
    /// Sketch to image: the output's edge map (<see cref="EdgeMap"/>) must match a sketch. The observation is the sketch
    /// read as an edge map (<see cref="SketchAsEdges"/>): strokes 1 and paper 0 whichever way it was drawn. Both are
    /// mapped to [-1, 1] for the losses.
    /// </summary>
    public static Degradation Edges() => new EdgeDegradation();

    /// <summary>
    /// The Sobel gradient magnitude of the luminance, scaled so that a full black-to-white step gives 1 along it
    /// (images in [-1, 1]; (N, 1, H, W) out). Also what turns a photo into a sketch-like input.
    /// </summary>
    public static Tensor EdgeMap(Tensor image)
    {
        using var scope = NewDisposeScope();
        var gray = Luminance(image);
        var gx = tensor(new float[] { -1, 0, 1, -2, 0, 2, -1, 0, 1 }, dtype: gray.dtype, device: gray.device).view(1, 1, 3, 3);
        var kernels = cat(new[] { gx, gx.transpose(2, 3) }, 0);
        var padded = F.pad(gray, new long[] { 1, 1, 1, 1 }, PaddingModes.Replicate);
        var g = SafeConv.Conv2d(padded, kernels);
        // Sobel's gain is 4 and a black-to-white step is 2 in [-1, 1]: divide by 8. The epsilon keeps the gradient of
        // the magnitude finite on flat regions.
        return ((g.pow(2).sum(1, keepdim: true) + 1e-6).sqrt() / 8).MoveToOuterDisposeScope();
    }

    /// <summary>A sketch (images in [-1, 1]) as an edge map on [0, 1]: strokes 1, paper 0 (light paper is inverted).</summary>
    public static Tensor SketchAsEdges(Tensor sketch)
    {
        using var scope = NewDisposeScope();
        var lum = (Luminance(sketch) + 1) / 2;
        // Per image: light paper with dark strokes (the usual drawing) becomes dark paper with bright strokes.
        var light = lum.mean([1, 2, 3], keepdim: true) > 0.5;
        return where(light, 1 - lum, lum).MoveToOuterDisposeScope();
    }

    /// <summary>The luminance (ITU-R BT.601), repeated to 3 channels: the observation is a grayscale photo.</summary>
    public static Degradation Grayscale() => new GrayscaleDegradation();

    /// <summary>BT.601 luminance of an RGB batch (1-channel inputs pass through).</summary>
    public static Tensor Luminance(Tensor image)
    {
        if (image.shape[1] == 1) return image.alias();
        using var scope = NewDisposeScope();
        var weights = tensor(new float[] { 0.299f, 0.587f, 0.114f }, dtype: image.dtype, device: image.device).view(1, 3, 1, 1);
        return (image * weights).sum(1, keepdim: true).MoveToOuterDisposeScope();
    }

    sealed class DownsampleDegradation : Degradation
    {
        readonly int factor;
        public DownsampleDegradation(int factor)
        {
            if (factor < 2) throw new AtelierUsageException($"super-resolution factor must be at least 2, got {factor}");
            this.factor = factor;
        }
        public override string Name => $"downsample x{factor}";
        public override Tensor Apply(Tensor image) => F.avg_pool2d(image, new long[] { factor, factor });
    }

    sealed class MaskDegradation : Degradation
    {
        readonly Tensor mask;
        public MaskDegradation(Tensor mask) => this.mask = mask;
        public override string Name => "mask";
        public override Tensor Apply(Tensor image) => image * mask.to(image.dtype, image.device);
        public override Tensor Observe(Tensor target) => Apply(target);
    }

    sealed class EdgeDegradation : Degradation
    {
        public override string Name => "edges";
        // Both sides as images in [-1, 1] (edges white on black), the convention the pixel and perceptual losses and
        // the PSNR assume.
        public override Tensor Apply(Tensor image) => ToImageRange(EdgeMap(image));
        public override Tensor Observe(Tensor target) => ToImageRange(SketchAsEdges(target));

        static Tensor ToImageRange(Tensor unit)
        {
            using (unit) return unit * 2 - 1;
        }
    }

    sealed class GrayscaleDegradation : Degradation
    {
        public override string Name => "grayscale";
        public override Tensor Apply(Tensor image) => Luminance(image).expand(-1, 3, -1, -1);
        public override Tensor Observe(Tensor target) => Apply(target);
    }
}
