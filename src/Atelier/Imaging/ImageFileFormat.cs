using System.Buffers.Binary;

namespace Atelier.Imaging;

/// <summary>The image file formats Atelier reads (all) and writes (PNG, JPEG, WebP).</summary>
public enum ImageFileFormat { Png, Jpeg, WebP, Bmp, Gif }

/// <summary>
/// Recognises a format from its magic bytes and reads the pixel dimensions from the header alone, so an
/// oversized or mislabelled file is refused before any pixel memory is allocated. File extensions are never trusted.
/// </summary>
public static class ImageHeader
{
    static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format whose signature starts <paramref name="data"/>, or null for anything else.</summary>
    public static ImageFileFormat? DetectFormat(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(PngSignature)) return ImageFileFormat.Png;
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFileFormat.Jpeg;
        if (data.Length >= 6 && data[..4].SequenceEqual("GIF8"u8) && (data[4] == (byte)'7' || data[4] == (byte)'9') && data[5] == (byte)'a')
            return ImageFileFormat.Gif;
        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8)) return ImageFileFormat.WebP;
        // "BM" alone is too weak (plenty of text starts with it): also require a known DIB header size.
        if (data.Length >= 18 && data[0] == (byte)'B' && data[1] == (byte)'M'
            && BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(14, 4)) is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124)
            return ImageFileFormat.Bmp;
        return null;
    }

    /// <summary>Width and height declared by the header, or null when the header is cut short or unreadable.</summary>
    public static (int Width, int Height)? ReadSize(ReadOnlySpan<byte> data, ImageFileFormat format)
    {
        try
        {
            return format switch
            {
                ImageFileFormat.Png => data.Length >= 24 && data.Slice(12, 4).SequenceEqual("IHDR"u8)
                    ? Checked(BinaryPrimitives.ReadUInt32BigEndian(data.Slice(16, 4)), BinaryPrimitives.ReadUInt32BigEndian(data.Slice(20, 4)))
                    : null,
                ImageFileFormat.Gif => data.Length >= 10
                    ? Checked(BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(6, 2)), BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(8, 2)))
                    : null,
                ImageFileFormat.Bmp => BmpSize(data),
                ImageFileFormat.WebP => WebPSize(data),
                ImageFileFormat.Jpeg => JpegSize(data),
                _ => null,
            };
        }
        catch (ArgumentOutOfRangeException) { return null; } // a slice past the end: header cut short
    }

    static (int, int)? Checked(long w, long h) => w > 0 && h > 0 && w <= int.MaxValue && h <= int.MaxValue ? ((int)w, (int)h) : null;

    static (int, int)? BmpSize(ReadOnlySpan<byte> d)
    {
        if (d.Length < 26) return null;
        var dib = BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(14, 4));
        if (dib == 12) return Checked(BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(18, 2)), BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(20, 2)));
        // Height is negative for top-down bitmaps.
        return Checked(BinaryPrimitives.ReadInt32LittleEndian(d.Slice(18, 4)), Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(d.Slice(22, 4))));
    }

    static (int, int)? WebPSize(ReadOnlySpan<byte> d)
    {
        if (d.Length < 30) return null;
        var chunk = d.Slice(12, 4);
        if (chunk.SequenceEqual("VP8X"u8))
            return Checked(1 + (d[24] | d[25] << 8 | d[26] << 16), 1 + (d[27] | d[28] << 8 | d[29] << 16));
        if (chunk.SequenceEqual("VP8L"u8))
        {
            if (d[20] != 0x2F) return null;
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(21, 4));
            return Checked(1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF));
        }
        if (chunk.SequenceEqual("VP8 "u8))
        {
            if (d[23] != 0x9D || d[24] != 0x01 || d[25] != 0x2A) return null;
            return Checked(BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(26, 2)) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(28, 2)) & 0x3FFF);
        }
        return null;
    }

    static (int, int)? JpegSize(ReadOnlySpan<byte> d)
    {
        int i = 2;
        while (i + 4 <= d.Length)
        {
            if (d[i] != 0xFF) return null;
            byte marker = d[i + 1];
            if (marker == 0xFF) { i++; continue; }                       // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; } // no length field
            int len = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(i + 2, 2));
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return i + 9 <= d.Length
                    ? Checked(BinaryPrimitives.ReadUInt16BigEndian(d.Slice(i + 7, 2)), BinaryPrimitives.ReadUInt16BigEndian(d.Slice(i + 5, 2)))
                    : null;
            if (marker == 0xDA || len < 2) return null; // scan data before a frame header: malformed
            i += 2 + len;
        }
        return null;
    }
}
