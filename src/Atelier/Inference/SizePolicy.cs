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

    /// <summary>Checks the values, naming the one at fault: at least <paramref name="minimum"/> pixels.</summary>
    public SizePolicy Validate(int minimum = 8)
    {
        if (ShorterSide is int s && s < minimum) throw new AtelierUsageException($"{{ShorterSide}} {s}: must be at least {minimum}");
        if (MaxSide is int m && m < minimum) throw new AtelierUsageException($"{{MaxSide}} {m}: must be at least {minimum}");
        return this;
    }

    /// <summary>The size <see cref="Apply"/> gives an image of <paramref name="width"/> x <paramref name="height"/>.</summary>
    public (int Width, int Height) TargetSize(int width, int height)
    {
        double w = width, h = height;
        if (ShorterSide is int s) { double k = (double)s / Math.Min(w, h); w *= k; h *= k; }
        if (MaxSide is int m && Math.Max(w, h) > m) { double k = m / Math.Max(w, h); w *= k; h *= k; }
        return (Math.Max(1, (int)Math.Round(w)), Math.Max(1, (int)Math.Round(h)));
    }

    /// <summary>The image rescaled as requested (the same instance when nothing changes).</summary>
    public Image Apply(Image image)
    {
        var (w, h) = TargetSize(image.Width, image.Height);
        return w == image.Width && h == image.Height ? image : ImageResize.Resize(image, w, h);
    }
}
