using Atelier.Imaging;

namespace Atelier.Inference;

/// <summary>
/// The one place an input image is rescaled before a feed-forward network, and only on request: <see cref="ShorterSide"/>
/// sets the shorter side, <see cref="MaxSide"/> caps the longer side (downscaling only). Both keep the aspect ratio; without either the
/// image keeps its size (any size is padded to the network's multiple and cropped back, never distorted).
/// </summary>
public sealed record SizePolicy(int? ShorterSide = null, int? MaxSide = null)
{
    public static SizePolicy Keep { get; } = new();

    /// <summary>The largest side a rescaled image may have (16384 px; its pixels must also fit <see cref="MaxPixels"/>).</summary>
    public const int MaxSideLimit = 16384;

    /// <summary>The most pixels a rescaled image may have (256 MP: 3 GB as float RGB before any network runs).</summary>
    public const long MaxPixels = 256L * 1024 * 1024;

    /// <summary>Checks the values, naming the one at fault: at least <paramref name="minimum"/> pixels, at most <see cref="MaxSideLimit"/>.</summary>
    public SizePolicy Validate(int minimum = 8)
    {
        if (ShorterSide is int s && (s < minimum || s > MaxSideLimit)) throw new AtelierUsageException($"{{ShorterSide}} {s}: must be between {minimum} and {MaxSideLimit}");
        if (MaxSide is int m && (m < minimum || m > MaxSideLimit)) throw new AtelierUsageException($"{{MaxSide}} {m}: must be between {minimum} and {MaxSideLimit}");
        return this;
    }

    /// <summary>The size <see cref="Apply"/> gives an image of <paramref name="width"/> x <paramref name="height"/>.</summary>
    public (int Width, int Height) TargetSize(int width, int height)
    {
        double w = width, h = height;
        if (ShorterSide is int s) { double k = (double)s / Math.Min(w, h); w *= k; h *= k; }
        if (MaxSide is int m && Math.Max(w, h) > m) { double k = m / Math.Max(w, h); w *= k; h *= k; }
        // A long thin picture scaled by its shorter side can still be enormous: refuse before allocating it.
        if (w * h > MaxPixels || Math.Max(w, h) > int.MaxValue / 4)
            throw new AtelierUsageException($"{{ShorterSide}} {ShorterSide}: would make a {w:0}x{h:0} picture of {width}x{height}, more than {MaxPixels / (1024 * 1024)} megapixels (cap the longer side with {{MaxSide}})");
        return (Math.Max(1, (int)Math.Round(w)), Math.Max(1, (int)Math.Round(h)));
    }

    /// <summary>The image rescaled as requested (the same instance when nothing changes).</summary>
    public Image Apply(Image image)
    {
        var (w, h) = TargetSize(image.Width, image.Height);
        return w == image.Width && h == image.Height ? image : ImageResize.Resize(image, w, h);
    }
}
