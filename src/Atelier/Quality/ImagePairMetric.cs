using Atelier.Imaging;

namespace Atelier.Quality;

/// <summary>
/// One figure of a picture against a reference (a model's output against its target): the base every pair metric
/// shares, so commands, trainers and reports treat them alike (junyanz's maintainer asked for a metrics base class
/// instead of ad-hoc code per method). Pictures are compared as RGB (gray replicated, alpha composited over white).
/// </summary>
public abstract class ImagePairMetric
{
    /// <summary>The short name in JSON, CSV columns and logs ("psnr").</summary>
    public abstract string Key { get; }

    /// <summary>What a person reads ("PSNR (dB)").</summary>
    public abstract string Name { get; }

    /// <summary>True for similarities (PSNR, SSIM), false for distances.</summary>
    public abstract bool HigherIsBetter { get; }

    /// <summary>Pixel-aligned figures need pictures of one size; the style distance compares statistics and does not.</summary>
    public virtual bool NeedsSameSize => true;

    /// <summary>The figure of <paramref name="image"/> against <paramref name="reference"/>.</summary>
    public double Compare(Image image, Image reference)
    {
        if (NeedsSameSize && (image.Width != reference.Width || image.Height != reference.Height))
            throw new AtelierException($"{Name} compares pictures of one size, got {image.Width}x{image.Height} and {reference.Width}x{reference.Height}");
        return Measure(ImageOps.ToRgb(image), ImageOps.ToRgb(reference));
    }

    /// <summary>The figure of two RGB pictures (of one size when <see cref="NeedsSameSize"/>).</summary>
    protected abstract double Measure(Image image, Image reference);

    public override string ToString() => Name;
}
