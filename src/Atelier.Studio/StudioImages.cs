using Atelier.Imaging;
using SkiaSharp;

namespace Atelier.Studio;

/// <summary>
/// PNG in and out of memory for the studio's wire format (uploads and results never touch the disk).
/// Decoding is only called on bytes that <see cref="Uploads.ImageSniffer"/> has already checked.
/// </summary>
public static class StudioImages
{
    /// <summary>Encodes an image (1, 3 or 4 channels, values clamped to [0,1]) as an 8-bit PNG.</summary>
    public static byte[] EncodePng(Image image)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var pixels = new byte[image.Width * image.Height * 4];
        int n = image.PlaneSize;
        var d = image.Data;
        for (int i = 0; i < n; i++)
        {
            float r, g, b, a = 1f;
            if (image.Channels == 1) r = g = b = d[i];
            else { r = d[i]; g = d[n + i]; b = d[2 * n + i]; if (image.Channels == 4) a = d[3 * n + i]; }
            pixels[4 * i] = ToByte(r);
            pixels[4 * i + 1] = ToByte(g);
            pixels[4 * i + 2] = ToByte(b);
            pixels[4 * i + 3] = ToByte(a);
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("PNG encoding failed");
        return data.ToArray();
    }

    /// <summary>
    /// Decodes image bytes to RGB (alpha composited over <paramref name="background"/>, so a sketch drawn on a
    /// transparent canvas reads as strokes on paper). Throws <see cref="AtelierException"/> on undecodable data.
    /// </summary>
    public static Image DecodeRgb(byte[] bytes, float background = 1f, string what = "image")
    {
        var (rgba, w, h) = DecodeRgba(bytes, what);
        var img = new Image(w, h, 3);
        int n = w * h;
        for (int i = 0; i < n; i++)
        {
            float a = rgba[4 * i + 3] / 255f;
            for (int c = 0; c < 3; c++)
                img.Data[c * n + i] = rgba[4 * i + c] / 255f * a + background * (1 - a);
        }
        return img;
    }

    /// <summary>
    /// Decodes a mask: a pixel is "on" (value 1) where it is painted: opaque and not black. A mask drawn on a
    /// transparent canvas and a black-and-white mask file both work.
    /// </summary>
    public static Image DecodeMask(byte[] bytes, string what = "mask")
    {
        var (rgba, w, h) = DecodeRgba(bytes, what);
        var img = new Image(w, h, 1);
        for (int i = 0; i < w * h; i++)
        {
            float a = rgba[4 * i + 3] / 255f;
            float lum = (0.299f * rgba[4 * i] + 0.587f * rgba[4 * i + 1] + 0.114f * rgba[4 * i + 2]) / 255f;
            img.Data[i] = a * lum >= 0.5f ? 1f : 0f;
        }
        return img;
    }

    static (byte[] Rgba, int Width, int Height) DecodeRgba(byte[] bytes, string what)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(bytes))
            ?? throw new AtelierException($"{what}: the file could not be decoded");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result == SKCodecResult.IncompleteInput) throw new AtelierException($"{what}: the file is truncated");
        if (result != SKCodecResult.Success)
            throw new AtelierException($"{what}: the file could not be decoded ({result})");
        var rgba = new byte[info.Width * info.Height * 4];
        System.Runtime.InteropServices.Marshal.Copy(bitmap.GetPixels(), rgba, 0, rgba.Length);
        return (rgba, info.Width, info.Height);
    }

    static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);
}
