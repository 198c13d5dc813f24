using Atelier.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>What an inversion is asked to match: the picture itself, or what a known degradation of it leaves.</summary>
public enum InversionTask
{
    /// <summary>The picture as it is (Image2StyleGAN embedding).</summary>
    Invert,
    /// <summary>A low-resolution picture: the generator's image, downsampled by the factor, must match it.</summary>
    SuperResolution,
    /// <summary>A picture with a hole (mask white or painted): the loss ignores the hole.</summary>
    Inpaint,
    /// <summary>A drawing: the generator's image's Sobel edges must match it.</summary>
    Sketch,
    /// <summary>A grayscale picture: the generator's image in gray must match it.</summary>
    Colorize,
}

/// <summary>
/// The observation and degradation of an inversion task, prepared from pictures of any size the same way for every
/// front end (the CLI and the studio once resized differently, so one mask gave two results): non-square pictures are
/// centre-cropped; photographs are resized with the antialiased bicubic filter, while low-resolution pictures, masks
/// and drawings are area-averaged (a box average is what the downsampling degradation applies, keeps a thin stroke as
/// a lighter one instead of dropping it, and keeps a mask's edge where it was painted).
/// </summary>
public static class InversionTarget
{
    /// <summary>
    /// The observation ((1, C, s, s) in [-1, 1]; s is the generator's size, or size / factor for super-resolution) and
    /// the degradation. <paramref name="mask"/> (inpainting): > 0.5 marks the hole; it must match the picture's size.
    /// </summary>
    public static (Tensor Observation, Degradation? Degradation) Prepare(InversionTask task, Image image, int generatorSize,
        Image? mask = null, int factor = 4)
    {
        switch (task)
        {
            case InversionTask.Invert:
                return (Square(ImageOps.ToRgb(image), generatorSize, ResizeFilter.Bicubic), null);
            case InversionTask.SuperResolution:
                return (Square(ImageOps.ToRgb(image), ObservationSide(task, generatorSize, factor), ResizeFilter.Area), Degradation.Downsample(factor));
            case InversionTask.Inpaint:
                if (mask is null) throw new AtelierUsageException("{Mask}: inpainting needs a mask (white marks the hole)");
                if (mask.Width != image.Width || mask.Height != image.Height)
                    throw new AtelierUsageException($"{{Mask}} is {mask.Width}x{mask.Height} but the picture is {image.Width}x{image.Height}; they must be the same size");
                var gray = ImageOps.ToGray(mask);
                if (!gray.Data.Any(v => v >= 0.5f)) throw new AtelierUsageException("{Mask}: nothing marks a hole (white or painted pixels); mark the hole to fill");
                using (var scope = NewDisposeScope())
                {
                    var hole = Square(gray, generatorSize, ResizeFilter.Area); // [-1, 1]: > 0 is hole
                    var keep = (hole <= 0).to(float32).MoveToOuterDisposeScope();
                    return (Square(ImageOps.ToRgb(image), generatorSize, ResizeFilter.Bicubic).MoveToOuterDisposeScope(), Degradation.Mask(keep));
                }
            case InversionTask.Sketch:
                return (Square(ImageOps.ToRgb(image), generatorSize, ResizeFilter.Area), Degradation.Edges());
            case InversionTask.Colorize:
                return (Square(ImageOps.ToGray(image), generatorSize, ResizeFilter.Bicubic), Degradation.Grayscale());
            default:
                throw new ArgumentOutOfRangeException(nameof(task), task, null);
        }
    }

    /// <summary>
    /// The picture's side the task's observation has (a picture already this size and square is used as it is); for
    /// super-resolution a usage error naming the factor unless it is at least 2 and divides the generator's size.
    /// </summary>
    public static int ObservationSide(InversionTask task, int generatorSize, int factor = 4)
    {
        if (task != InversionTask.SuperResolution) return generatorSize;
        if (factor < 2 || generatorSize % factor != 0)
            throw new AtelierUsageException($"{{Factor}} {factor}: must be at least 2 and divide the generator's size {generatorSize}");
        return generatorSize / factor;
    }

    /// <summary>A picture as a square (1, C, size, size) tensor in [-1, 1]: centre-cropped, then resized with <paramref name="filter"/>.</summary>
    public static Tensor Square(Image image, int size, ResizeFilter filter)
    {
        if (image.Width != image.Height)
        {
            int side = Math.Min(image.Width, image.Height);
            image = ImageOps.CenterCrop(image, side, side);
        }
        if (image.Width != size) image = ImageResize.Resize(image, size, size, filter);
        return ImageTensors.ToTensor(image, ValueRange.MinusOneOne);
    }
}
