using Atelier.Imaging;

namespace Atelier.Studio.Uploads;

/// <summary>
/// An upload's type from its first bytes (never its name or the client's content type) and its size from
/// its header, without decoding pixels, so a disguised or oversized file is refused cheaply.
/// </summary>
public static class ImageSniffer
{
    public static ImageFileFormat? Sniff(ReadOnlySpan<byte> bytes) => ImageHeader.DetectFormat(bytes);

    /// <summary>Width and height from the header, or null when the header is unreadable.</summary>
    public static (int Width, int Height)? ReadSize(byte[] bytes) =>
        Sniff(bytes) is { } format && ImageHeader.ReadSize(bytes, format) is { } size && size.Width > 0 && size.Height > 0
            ? (size.Width, size.Height) : null;
}
