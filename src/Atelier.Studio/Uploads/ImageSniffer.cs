using SkiaSharp;

namespace Atelier.Studio.Uploads;

/// <summary>
/// Tells an image's type from its first bytes (never from its name or the client's content type), and its
/// size from its header without decoding the pixels, so an oversized or disguised file is refused cheaply.
/// </summary>
public static class ImageSniffer
{
    public enum Kind { Unknown, Png, Jpeg, Gif, Bmp, Webp }

    public static Kind Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G' &&
            b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) return Kind.Png;
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return Kind.Jpeg;
        if (b.Length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8' && (b[4] == '7' || b[4] == '9') && b[5] == 'a') return Kind.Gif;
        if (b.Length >= 14 && b[0] == 'B' && b[1] == 'M') return Kind.Bmp;
        if (b.Length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' &&
            b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return Kind.Webp;
        return Kind.Unknown;
    }

    /// <summary>Width and height from the header (no pixel decoding), or null when the header is unreadable.</summary>
    public static (int Width, int Height)? ReadSize(byte[] bytes)
    {
        using var stream = new SKMemoryStream(bytes);
        using var codec = SKCodec.Create(stream);
        if (codec == null) return null;
        var info = codec.Info;
        return info.Width > 0 && info.Height > 0 ? (info.Width, info.Height) : null;
    }
}
