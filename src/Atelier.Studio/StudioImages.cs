using Atelier.Imaging;

namespace Atelier.Studio;

/// <summary>
/// The studio's wire format, in memory (uploads and results never touch the disk): PNG out, any format
/// <see cref="ImageIO"/> reads in. Decoding is only called on bytes the upload checks have already passed.
/// </summary>
public static class StudioImages
{
    public static byte[] EncodePng(Image image) => ImageIO.Encode(image, ImageFileFormat.Png);

    /// <summary>
    /// Decodes to RGB, with alpha composited over white, so a sketch drawn on a transparent canvas reads as
    /// strokes on paper. Throws <see cref="AtelierException"/> on undecodable data.
    /// </summary>
    public static Image DecodeRgb(byte[] bytes, string what = "image", long maxPixels = ImageLoadOptions.DefaultMaxPixels) =>
        ImageIO.Decode(bytes, what, new ImageLoadOptions { MaxPixels = maxPixels });

    /// <summary>
    /// Decodes a mask: a pixel is on (1) where it is painted, opaque and light. A mask drawn on a transparent
    /// canvas and a black-and-white mask file both work.
    /// </summary>
    public static Image DecodeMask(byte[] bytes, string what = "mask", long maxPixels = ImageLoadOptions.DefaultMaxPixels)
    {
        // Composited over black: transparent (unpainted) pixels read as 0, painted white ones as 1.
        var gray = ImageIO.Decode(bytes, what, new ImageLoadOptions
        {
            MaxPixels = maxPixels, ColorMode = ColorMode.Gray, Background = (0f, 0f, 0f),
        });
        var mask = new Image(gray.Width, gray.Height, 1);
        for (int i = 0; i < gray.Data.Length; i++) mask.Data[i] = gray.Data[i] >= 0.5f ? 1f : 0f;
        return mask;
    }
}
