using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Turns pixels stored in a camera's sensor orientation upright, per the EXIF orientation tag (1..8) that
/// Skia reports as <see cref="SKEncodedOrigin"/>. Decoders hand back the stored pixels; browsers and viewers
/// show them rotated, so users expect the rotated version.
/// </summary>
public static class ExifOrientation
{
    public static Image Apply(Image image, SKEncodedOrigin origin) => origin switch
    {
        SKEncodedOrigin.TopRight => ImageOps.FlipHorizontal(image),      // 2
        SKEncodedOrigin.BottomRight => ImageOps.Rotate180(image),        // 3
        SKEncodedOrigin.BottomLeft => ImageOps.FlipVertical(image),      // 4
        SKEncodedOrigin.LeftTop => ImageOps.Transpose(image),            // 5
        SKEncodedOrigin.RightTop => ImageOps.Rotate90Clockwise(image),   // 6
        SKEncodedOrigin.RightBottom => ImageOps.Transverse(image),       // 7
        SKEncodedOrigin.LeftBottom => ImageOps.Rotate90CounterClockwise(image), // 8
        _ => image,                                                      // 1 or unknown: as stored
    };
}
