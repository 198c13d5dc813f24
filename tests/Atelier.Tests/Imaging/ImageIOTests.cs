using System.Buffers.Binary;
using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Imaging;

public class ImageIOTests
{
    static readonly ImageLoadOptions KeepAlpha = new() { Alpha = AlphaMode.Keep };

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void PngRoundTripIsExactFor8BitValues(int channels)
    {
        using var dir = TestPaths.NewTempDir();
        var img = TestImages.Random8Bit(13, 7, channels, seed: channels);
        if (channels == 4) img.Plane(3).Fill(0.6f); // (fully transparent colours are not guaranteed to survive any codec)
        var path = dir.File("a.png");
        ImageIO.Save(img, path);
        var back = ImageIO.Load(path, KeepAlpha);
        if (channels == 4) for (int i = 0; i < img.PlaneSize; i++) img.Data[3 * img.PlaneSize + i] = 153 / 255f;
        Assert.Equal(img.Data, back.Data);
        Assert.Equal(channels, back.Channels);
        Assert.Equal(ImageFileFormat.Png, ImageHeader.DetectFormat(File.ReadAllBytes(path)));
    }

    [Fact]
    public void GrayPngIsWrittenAsOneChannelAndReadBackByMode()
    {
        using var dir = TestPaths.NewTempDir();
        var img = TestImages.Random8Bit(9, 5, 1, seed: 3);
        var path = dir.File("g.png");
        ImageIO.Save(img, path);
        var auto = ImageIO.Load(path, new ImageLoadOptions { ColorMode = ColorMode.Auto });
        Assert.Equal(1, auto.Channels);
        Assert.Equal(img.Data, auto.Data);
        var rgb = ImageIO.Load(path); // default: RGB
        Assert.Equal(3, rgb.Channels);
        for (int c = 0; c < 3; c++) Assert.Equal(img.Data, rgb.Plane(c).ToArray());
    }

    [Fact]
    public void JpegRoundTripIsClose()
    {
        using var dir = TestPaths.NewTempDir();
        var img = TestImages.Smooth(48, 32, 3);
        var path = dir.File("a.jpeg");
        ImageIO.Save(img, path, quality: 95);
        Assert.Equal(ImageFileFormat.Jpeg, ImageHeader.DetectFormat(File.ReadAllBytes(path)));
        var back = ImageIO.Load(path);
        Assert.True(TestImages.MeanAbsDiff(img, back) < 0.01, $"mean abs diff {TestImages.MeanAbsDiff(img, back)}");
    }

    [Fact]
    public void JpegCompositesAlphaOverWhite()
    {
        using var dir = TestPaths.NewTempDir();
        var img = TestImages.Constant(16, 16, 0f, 0f, 0f, 0f); // fully transparent black
        var path = dir.File("t.jpg");
        ImageIO.Save(img, path);
        var back = ImageIO.Load(path);
        Assert.All(back.Data, v => Assert.True(v > 0.98f, $"{v}"));
    }

    [Fact]
    public void WebPLosslessAtQuality100IsExactAndLossyIsClose()
    {
        using var dir = TestPaths.NewTempDir();
        var img = TestImages.Random8Bit(12, 10, 3, seed: 5);
        ImageIO.Save(img, dir.File("l.webp"), quality: 100);
        Assert.Equal(ImageFileFormat.WebP, ImageHeader.DetectFormat(File.ReadAllBytes(dir.File("l.webp"))));
        Assert.Equal(img.Data, ImageIO.Load(dir.File("l.webp")).Data);

        var smooth = TestImages.Smooth(48, 32, 3);
        ImageIO.Save(smooth, dir.File("q.webp"), quality: 90);
        var back = ImageIO.Load(dir.File("q.webp"));
        Assert.True(TestImages.MeanAbsDiff(smooth, back) < 0.02, $"mean abs diff {TestImages.MeanAbsDiff(smooth, back)}");
    }

    [Fact]
    public void SaveClampsAndRounds()
    {
        using var dir = TestPaths.NewTempDir();
        var img = new Image(4, 1, 1, [-0.5f, 1.7f, 100.4f / 255f, 100.6f / 255f]);
        ImageIO.Save(img, dir.File("c.png"));
        var back = ImageIO.Load(dir.File("c.png"), new ImageLoadOptions { ColorMode = ColorMode.Auto });
        Assert.Equal([0f, 1f, 100 / 255f, 101 / 255f], back.Data);
    }

    [Fact]
    public void SaveLeavesNoTemporaryFilesAndRejectsUnknownExtensions()
    {
        using var dir = TestPaths.NewTempDir();
        ImageIO.Save(TestImages.Smooth(8, 8, 3), dir.File("x.png"));
        Assert.Equal(["x.png"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        var e = Assert.Throws<AtelierUsageException>(() => ImageIO.Save(TestImages.Smooth(8, 8, 3), dir.File("x.tiff")));
        Assert.Contains("'.tiff'", e.Message);
        Assert.Contains("x.tiff", e.Message);
        Assert.Throws<AtelierUsageException>(() => ImageIO.Save(TestImages.Smooth(8, 8, 3), dir.File("x.jpg"), quality: 0));
    }

    [Fact]
    public void FormatIsDetectedByContentNotExtension()
    {
        using var dir = TestPaths.NewTempDir();
        var img = TestImages.Random8Bit(6, 4, 3, seed: 9);
        var png = ImageIO.Encode(img, ImageFileFormat.Png);
        File.WriteAllBytes(dir.File("really-a-png.jpg"), png);
        Assert.Equal(img.Data, ImageIO.Load(dir.File("really-a-png.jpg")).Data);
        Assert.Equal(img.Data, ImageIO.Decode(new MemoryStream(png), "upload").Data);
    }

    [Fact]
    public void DecodesBmpFixture()
    {
        var img = ImageIO.Load(TestPaths.Fixture("imaging", "tiny.bmp"));
        Assert.Equal((5, 4, 3), (img.Width, img.Height, img.Channels));
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++)
            {
                Assert.Equal(x * 50 / 255f, img[0, y, x]);
                Assert.Equal(y * 60 / 255f, img[1, y, x]);
                Assert.Equal(100 / 255f, img[2, y, x]);
            }
    }

    [Fact]
    public void DecodesFirstFrameOfGif()
    {
        var img = ImageIO.Load(TestPaths.Fixture("imaging", "tiny.gif"));
        Assert.Equal((5, 4, 3), (img.Width, img.Height, img.Channels));
        // Palette: 0 red, 1 green, 2 blue, 3 white; frame 0 index = (x + y) % 4 (frame 1 is all red).
        float[][] palette = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(palette[(x + y) % 4][c], img[c, y, x]);
    }

    [Fact]
    public void DecodesGrayAnd16BitPngs()
    {
        var gray = ImageIO.Load(TestPaths.Fixture("imaging", "gray.png"), new ImageLoadOptions { ColorMode = ColorMode.Auto });
        Assert.Equal(1, gray.Channels);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++) Assert.Equal((x * 40 + y * 10) / 255f, gray[0, y, x]);

        var g16 = ImageIO.Load(TestPaths.Fixture("imaging", "gray16.png"), new ImageLoadOptions { ColorMode = ColorMode.Auto });
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++)
                Assert.InRange(g16[0, y, x] - (x * 13000 + y * 1000) / 65535f, -1 / 255f, 1 / 255f);
    }

    [Fact]
    public void AlphaIsCompositedKeptOrDropped()
    {
        // Half-transparent pure red.
        var png = ImageIO.Encode(TestImages.Constant(4, 4, 1f, 0f, 0f, 128 / 255f), ImageFileFormat.Png);
        float a = 128 / 255f;
        var white = ImageIO.Decode(png, "t.png");
        Assert.Equal(3, white.Channels);
        AssertPixel(white, 1f, 1f - a, 1f - a);
        var black = ImageIO.Decode(png, "t.png", new ImageLoadOptions { Background = (0f, 0f, 0f) });
        AssertPixel(black, a, 0f, 0f);
        var kept = ImageIO.Decode(png, "t.png", KeepAlpha);
        Assert.Equal(4, kept.Channels);
        AssertPixel(kept, 1f, 0f, 0f, a);
        AssertPixel(ImageIO.Decode(png, "t.png", new ImageLoadOptions { Alpha = AlphaMode.Drop }), 1f, 0f, 0f);
        var gray = ImageIO.Decode(png, "t.png", new ImageLoadOptions { ColorMode = ColorMode.Gray });
        AssertPixel(gray, 0.299f * 1f + 0.587f * (1 - a) + 0.114f * (1 - a));
        // An opaque file stays 3 channels even when alpha is kept.
        Assert.Equal(3, ImageIO.Decode(ImageIO.Encode(TestImages.Smooth(4, 4, 3), ImageFileFormat.Png), "o.png", KeepAlpha).Channels);
    }

    static void AssertPixel(Image img, params float[] expected)
    {
        Assert.Equal(expected.Length, img.Channels);
        for (int c = 0; c < expected.Length; c++) Assert.Equal(expected[c], img[c, 1, 2], 5);
    }

    // EXIF orientation: a 24x16 white JPEG with a black 8x8 block in its stored top-left corner, tagged 1..8.
    [Theory]
    [InlineData(1, 24, 16, "top-left")]
    [InlineData(2, 24, 16, "top-right")]
    [InlineData(3, 24, 16, "bottom-right")]
    [InlineData(4, 24, 16, "bottom-left")]
    [InlineData(5, 16, 24, "top-left")]
    [InlineData(6, 16, 24, "top-right")]
    [InlineData(7, 16, 24, "bottom-right")]
    [InlineData(8, 16, 24, "bottom-left")]
    public void ExifOrientationIsApplied(int orientation, int width, int height, string blackCorner)
    {
        var stored = TestImages.Constant(24, 16, 1f, 1f, 1f);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++) stored[c, y, x] = 0f;
        var jpeg = WithExifOrientation(ImageIO.Encode(stored, ImageFileFormat.Jpeg, 95), orientation);

        var img = ImageIO.Decode(jpeg, "exif.jpg");
        Assert.Equal((width, height), (img.Width, img.Height));
        var corners = new Dictionary<string, (int X, int Y)>
        {
            ["top-left"] = (4, 4), ["top-right"] = (width - 5, 4),
            ["bottom-left"] = (4, height - 5), ["bottom-right"] = (width - 5, height - 5),
        };
        foreach (var (name, (x, y)) in corners)
            if (name == blackCorner) Assert.True(img[1, y, x] < 0.1f, $"{name} should be black, is {img[1, y, x]}");
            else Assert.True(img[1, y, x] > 0.9f, $"{name} should be white, is {img[1, y, x]}");

        var raw = ImageIO.Decode(jpeg, "exif.jpg", new ImageLoadOptions { ApplyExifOrientation = false });
        Assert.Equal((24, 16), (raw.Width, raw.Height));
    }

    /// <summary>Inserts an APP1 "Exif" segment holding one IFD0 entry, Orientation (0x0112), after the SOI marker.</summary>
    internal static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        var tiff = new byte[8 + 2 + 12 + 4];
        "MM"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), 8);      // IFD0 offset
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 1);      // one entry
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(10), 0x0112); // Orientation
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(12), 3);     // SHORT
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(14), 1);     // count
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(18), (ushort)orientation);
        // next-IFD offset (last 4 bytes) stays 0.
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF; segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + payload.Length));
        payload.CopyTo(segment, 4);
        return jpeg[..2].Concat(segment).Concat(jpeg[2..]).ToArray();
    }

    // ---- bad input: one AtelierException line naming the file ----

    static string LoadError(string path, ImageLoadOptions? options = null)
    {
        var e = Assert.Throws<AtelierException>(() => ImageIO.Load(path, options));
        Assert.IsNotType<AtelierUsageException>(e);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"cannot read image '{path}': ", e.Message);
        return e.Message;
    }

    [Fact]
    public void MissingFileFails()
    {
        using var dir = TestPaths.NewTempDir();
        Assert.EndsWith("file not found", LoadError(dir.File("nope.png")));
        Assert.EndsWith("file not found", LoadError(Path.Combine(dir.Path, "no-such-dir", "x.png")));
        Assert.EndsWith("it is a directory", LoadError(dir.Path));
    }

    [Fact]
    public void EmptyFileFails()
    {
        using var dir = TestPaths.NewTempDir();
        File.WriteAllBytes(dir.File("empty.png"), []);
        Assert.EndsWith("file is empty", LoadError(dir.File("empty.png")));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    [InlineData("webp")]
    public void TruncatedFileFails(string ext)
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("cut." + ext);
        ImageIO.Save(TestImages.Random8Bit(64, 64, 3, seed: 1), path, quality: 90);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", LoadError(path));
        File.WriteAllBytes(path, bytes[..12]); // not even a whole header
        Assert.Contains("truncated", LoadError(path));
    }

    [Fact]
    public void NonImageFileFails()
    {
        using var dir = TestPaths.NewTempDir();
        File.WriteAllText(dir.File("notes.png"), "these are my notes, not a picture\n");
        Assert.EndsWith("not a PNG, JPEG, WebP, BMP or GIF image (unrecognised content)", LoadError(dir.File("notes.png")));
    }

    [Fact]
    public void OversizedHeaderIsRefusedBeforeDecoding()
    {
        using var dir = TestPaths.NewTempDir();
        // A PNG whose IHDR claims 100000x100000 and which has no pixel data at all: only the header can be read.
        var png = new List<byte>([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, 100000);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), 100000);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        png.AddRange(Chunk("IHDR", ihdr));
        png.AddRange(Chunk("IEND", []));
        var path = dir.File("huge.png");
        File.WriteAllBytes(path, png.ToArray());
        var msg = LoadError(path, new ImageLoadOptions { MaxPixels = 1_000_000 });
        Assert.Contains("100000x100000", msg);
        Assert.Contains("over the limit of 1 megapixels", msg);
        // Also with the default limit (64 MP): 10 gigapixels is refused the same way.
        Assert.Contains("over the limit of 64 megapixels", LoadError(path));

        // A real image over a low limit.
        ImageIO.Save(TestImages.Smooth(40, 30, 3), dir.File("small.png"));
        Assert.Contains("40x30", LoadError(dir.File("small.png"), new ImageLoadOptions { MaxPixels = 1000 }));
    }

    static byte[] Chunk(string type, byte[] data)
    {
        var body = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        var chunk = new byte[8 + data.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        body.CopyTo(chunk, 4);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(body));
        return chunk;
    }

    static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void HeaderSizesAreReadWithoutDecoding()
    {
        var img = TestImages.Smooth(37, 21, 3);
        foreach (var (format, quality) in new[] { (ImageFileFormat.Png, 95), (ImageFileFormat.Jpeg, 90), (ImageFileFormat.WebP, 100), (ImageFileFormat.WebP, 80) })
        {
            var bytes = ImageIO.Encode(img, format, quality);
            Assert.Equal(format, ImageHeader.DetectFormat(bytes));
            Assert.Equal((37, 21), ImageHeader.ReadSize(bytes, format));
        }
        Assert.Equal((5, 4), ImageHeader.ReadSize(File.ReadAllBytes(TestPaths.Fixture("imaging", "tiny.bmp")), ImageFileFormat.Bmp));
        Assert.Equal((5, 4), ImageHeader.ReadSize(File.ReadAllBytes(TestPaths.Fixture("imaging", "tiny.gif")), ImageFileFormat.Gif));
    }
}
