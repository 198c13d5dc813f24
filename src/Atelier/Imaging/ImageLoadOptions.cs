namespace Atelier.Imaging;

/// <summary>What to do with a file's alpha channel.</summary>
public enum AlphaMode
{
    /// <summary>Composite over <see cref="ImageLoadOptions.Background"/>: 3 (or 1) channels. The default.</summary>
    Composite,
    /// <summary>Keep alpha as a 4th channel (straight, not premultiplied) when the file has one; opaque files stay 3 channels.</summary>
    Keep,
    /// <summary>Ignore alpha: the stored colour values, whatever their transparency.</summary>
    Drop,
}

/// <summary>How many colour channels a loaded image gets.</summary>
public enum ColorMode
{
    /// <summary>Always RGB (3 channels, 4 with <see cref="AlphaMode.Keep"/>). The default: networks expect RGB.</summary>
    Rgb,
    /// <summary>1 channel for grayscale files, RGB for colour files.</summary>
    Auto,
    /// <summary>Always 1 channel (luma, ITU-R BT.601 weights); alpha is composited first (a 2-channel image does not exist).</summary>
    Gray,
}

/// <summary>Options for <see cref="ImageIO.Load"/> and <see cref="ImageIO.Decode(byte[], string, ImageLoadOptions?)"/>.</summary>
public sealed record ImageLoadOptions
{
    /// <summary>64 megapixels: about 1 GiB of float samples for RGBA; a larger header is almost always a mistake or an attack.</summary>
    public const long DefaultMaxPixels = 64_000_000;

    public static ImageLoadOptions Default { get; } = new();

    public AlphaMode Alpha { get; init; } = AlphaMode.Composite;
    public ColorMode ColorMode { get; init; } = ColorMode.Rgb;
    /// <summary>Colour that transparent pixels are composited over (RGB in [0,1]); white by default.</summary>
    public (float R, float G, float B) Background { get; init; } = (1f, 1f, 1f);
    /// <summary>Width x height above which a file is refused, checked from the header before any pixel is decoded.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;
    /// <summary>Rotate/flip according to the EXIF orientation tag so the image is upright (true by default).</summary>
    public bool ApplyExifOrientation { get; init; } = true;
}
