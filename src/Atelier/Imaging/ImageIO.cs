using System.Runtime.InteropServices;
using Atelier.IO;
using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Reads PNG, JPEG, WebP, BMP and GIF (first frame) and writes PNG, JPEG and WebP, with SkiaSharp.
/// The format is recognised from the file's content, never its extension. Every failure is an
/// <see cref="AtelierException"/> with one line naming the file: "cannot read image 'x.png': file is truncated".
/// </summary>
public static class ImageIO
{
    static readonly float[] ByteToFloat = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();

    public static Image Load(string path, ImageLoadOptions? options = null)
    {
        if (Directory.Exists(path)) throw Fail(path, "it is a directory");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw Fail(path, "file not found"); }
        catch (UnauthorizedAccessException) { throw Fail(path, "permission denied"); }
        catch (IOException e) { throw Fail(path, e.Message); }
        return Decode(bytes, path, options);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="nameForMessages"/> names it in errors.</summary>
    public static Image Decode(byte[] data, string nameForMessages, ImageLoadOptions? options = null)
    {
        options ??= ImageLoadOptions.Default;
        var name = nameForMessages;
        if (data.Length == 0) throw Fail(name, "file is empty");
        var format = ImageHeader.DetectFormat(data)
            ?? throw Fail(name, "not a PNG, JPEG, WebP, BMP or GIF image (unrecognised content)");
        // The limit is checked on the header's own numbers before Skia allocates anything.
        if (ImageHeader.ReadSize(data, format) is { } declared) CheckLimit(name, declared.Width, declared.Height, options);

        using var skData = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(skData)
            ?? throw Fail(name, $"file is truncated or corrupt (no readable {FormatName(format)} header)");
        var info = codec.Info;
        CheckLimit(name, info.Width, info.Height, options);

        bool grayFile = info.ColorType == SKColorType.Gray8;
        bool hasAlpha = info.AlphaType != SKAlphaType.Opaque;
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        if (target.BytesSize64 > Array.MaxLength) throw Fail(name, $"image is {info.Width}x{info.Height}, too large to decode in memory");
        var pixels = new byte[target.BytesSize64];
        SKCodecResult result;
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try { result = codec.GetPixels(target, handle.AddrOfPinnedObject()); }
        finally { handle.Free(); }
        switch (result)
        {
            case SKCodecResult.Success: break;
            case SKCodecResult.IncompleteInput: throw Fail(name, "file is truncated");
            case SKCodecResult.ErrorInInput: throw Fail(name, $"file is corrupt ({FormatName(format)} data error)");
            default: throw Fail(name, $"cannot decode this {FormatName(format)} file ({result})");
        }

        var image = ToImage(pixels, info.Width, info.Height, grayFile, hasAlpha, options);
        return options.ApplyExifOrientation ? ExifOrientation.Apply(image, codec.EncodedOrigin) : image;
    }

    public static Image Decode(Stream stream, string nameForMessages, ImageLoadOptions? options = null)
    {
        using var memory = new MemoryStream();
        try { stream.CopyTo(memory); }
        catch (IOException e) { throw Fail(nameForMessages, e.Message); }
        return Decode(memory.ToArray(), nameForMessages, options);
    }

    static void CheckLimit(string name, int width, int height, ImageLoadOptions options)
    {
        long pixels = (long)width * height;
        if (pixels > options.MaxPixels)
            throw Fail(name, $"image is {width}x{height} ({pixels / 1e6:0.#} megapixels), over the limit of {options.MaxPixels / 1e6:0.#} megapixels");
    }

    static Image ToImage(byte[] rgba, int width, int height, bool grayFile, bool hasAlpha, ImageLoadOptions o)
    {
        int n = width * height;
        var lut = ByteToFloat;
        bool gray = o.ColorMode == ColorMode.Gray || (o.ColorMode == ColorMode.Auto && grayFile);
        bool keep = hasAlpha && o.Alpha == AlphaMode.Keep && !gray;
        bool composite = hasAlpha && (o.Alpha == AlphaMode.Composite || (o.Alpha == AlphaMode.Keep && gray));
        var rgb = new Image(width, height, keep ? 4 : 3);
        var d = rgb.Data;
        var (bgR, bgG, bgB) = o.Background;
        for (int i = 0; i < n; i++)
        {
            int p = 4 * i;
            float r = lut[rgba[p]], g = lut[rgba[p + 1]], b = lut[rgba[p + 2]];
            if (composite)
            {
                float a = lut[rgba[p + 3]];
                r = r * a + bgR * (1f - a); g = g * a + bgG * (1f - a); b = b * a + bgB * (1f - a);
            }
            d[i] = r; d[n + i] = g; d[2 * n + i] = b;
            if (keep) d[3 * n + i] = lut[rgba[p + 3]];
        }
        if (!gray) return rgb;
        // A gray file's R plane is its gray value exactly; colour files get BT.601 luma.
        if (grayFile && !composite) return new Image(width, height, 1, d.AsSpan(0, n).ToArray());
        return ImageOps.ToGray(rgb);
    }

    /// <summary>The extensions of the files Atelier reads as pictures (lower case, with the dot): one list for every folder it reads.</summary>
    public static IReadOnlyList<string> ReadableExtensions { get; } = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"];

    /// <summary>True when the path's extension is one Atelier reads as a picture.</summary>
    public static bool IsImageFile(string path) => ReadableExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The picture files of a folder (and its subfolders when <paramref name="recursive"/>) in name order.</summary>
    public static List<string> ImagesIn(string folder, bool recursive = false) =>
        Directory.EnumerateFiles(folder, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(IsImageFile).Order(StringComparer.Ordinal).ToList();

    /// <summary>"(.png, .jpg, ...)" for messages.</summary>
    public static string ReadableExtensionList => "(" + string.Join(", ", ReadableExtensions) + ")";

    /// <summary>Format chosen from the extension of a path to write, or a usage error naming it.</summary>
    public static ImageFileFormat FormatForPath(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".png" => ImageFileFormat.Png,
            ".jpg" or ".jpeg" => ImageFileFormat.Jpeg,
            ".webp" => ImageFileFormat.WebP,
            _ => throw new AtelierUsageException(
                $"cannot save image '{path}': unknown extension '{(ext.Length == 0 ? "(none)" : ext)}' (use .png, .jpg, .jpeg or .webp)"),
        };
    }

    /// <summary>
    /// Writes PNG, JPEG or WebP chosen by extension, atomically (temp file + rename). Samples are clamped to [0,1]
    /// and rounded to 8 bits. <paramref name="quality"/> (1..100) applies to JPEG and WebP; WebP at 100 is lossless.
    /// JPEG has no alpha: RGBA is composited over white.
    /// </summary>
    public static void Save(Image image, string path, int quality = 95)
    {
        var bytes = Encode(image, FormatForPath(path), quality, path);
        try { AtomicFile.WriteAllBytes(path, bytes); }
        catch (UnauthorizedAccessException) { throw new AtelierException($"cannot write image '{path}': permission denied"); }
        catch (IOException e) { throw new AtelierException($"cannot write image '{path}': {e.Message}"); }
    }

    /// <summary>Encodes to PNG, JPEG or WebP bytes in memory (for the web studio and tests).</summary>
    public static byte[] Encode(Image image, ImageFileFormat format, int quality = 95, string? nameForMessages = null)
    {
        var name = nameForMessages ?? format.ToString();
        if (quality is < 1 or > 100) throw new AtelierUsageException($"cannot save image '{name}': quality must be 1..100, got {quality}");
        if (format is not (ImageFileFormat.Png or ImageFileFormat.Jpeg or ImageFileFormat.WebP))
            throw new AtelierUsageException($"cannot save image '{name}': writing {format} is not supported (use PNG, JPEG or WebP)");

        if (image.Channels == 4 && format == ImageFileFormat.Jpeg) image = ImageOps.CompositeAlpha(image);
        // Skia's PNG and JPEG encoders write true 1-channel files; WebP has no gray mode, so gray goes as RGB.
        bool gray = image.Channels == 1 && format != ImageFileFormat.WebP;
        int w = image.Width, h = image.Height, n = w * h;
        var info = new SKImageInfo(w, h, gray ? SKColorType.Gray8 : SKColorType.Rgba8888,
            image.Channels == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        var pixels = new byte[gray ? n : 4 * n];
        if (gray)
        {
            var src = image.Plane(0);
            for (int i = 0; i < n; i++) pixels[i] = ToByte(src[i]);
        }
        else
        {
            int c1 = image.Channels >= 3 ? 1 : 0, c2 = image.Channels >= 3 ? 2 : 0;
            var r = image.Plane(0); var g = image.Plane(c1); var b = image.Plane(c2);
            var a = image.Channels == 4 ? image.Plane(3) : default;
            for (int i = 0; i < n; i++)
            {
                int p = 4 * i;
                pixels[p] = ToByte(r[i]); pixels[p + 1] = ToByte(g[i]); pixels[p + 2] = ToByte(b[i]);
                pixels[p + 3] = a.IsEmpty ? (byte)255 : ToByte(a[i]);
            }
        }

        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var data = format switch
            {
                ImageFileFormat.Png => pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6)),
                ImageFileFormat.Jpeg => pixmap.Encode(new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore)),
                _ => pixmap.Encode(new SKWebpEncoderOptions(quality == 100 ? SKWebpEncoderCompression.Lossless : SKWebpEncoderCompression.Lossy, quality)),
            } ?? throw new AtelierException($"cannot save image '{name}': the {format} encoder failed for a {image}");
            return data.ToArray();
        }
        finally { handle.Free(); }
    }

    /// <summary>[0,1] -> 0..255, clamped and rounded to nearest; NaN becomes 0.</summary>
    internal static byte ToByte(float v) => v > 0f ? (v < 1f ? (byte)(v * 255f + 0.5f) : (byte)255) : (byte)0;

    static string FormatName(ImageFileFormat f) => f switch
    {
        ImageFileFormat.Png => "PNG", ImageFileFormat.Jpeg => "JPEG", ImageFileFormat.WebP => "WebP",
        ImageFileFormat.Bmp => "BMP", _ => "GIF",
    };

    static AtelierException Fail(string name, string why) => new($"cannot read image '{name}': {why}");
}
