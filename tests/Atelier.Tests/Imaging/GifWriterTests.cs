using Atelier.Imaging;
using SkiaSharp;
using Xunit;

namespace Atelier.Tests.Imaging;

/// <summary>GIFs written by <see cref="GifWriter"/>, decoded by SkiaSharp's (libgif-based) codec.</summary>
public class GifWriterTests
{
    static Image Frame(int seed, int size)
    {
        var random = new Random(seed);
        var image = new Image(size, size, 3);
        // Few distinct colours (fit the palette exactly) in blocks, plus a gradient row so LZW sees long and short runs.
        var colours = Enumerable.Range(0, 40).Select(_ => new[] { random.Next(256) / 255f, random.Next(256) / 255f, random.Next(256) / 255f }).ToArray();
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                var c = colours[(x / 3 + y / 5 * 7 + seed) % colours.Length];
                for (int ch = 0; ch < 3; ch++) image.Data[ch * size * size + y * size + x] = c[ch];
            }
        return image;
    }

    [Fact]
    public void FramesDecodeBackExactlyWhenTheyFitThePalette()
    {
        // 96 x 96 x 3 frames: enough codes to fill the LZW table and reset it.
        var frames = Enumerable.Range(0, 3).Select(i => Frame(i, 96)).ToList();
        var bytes = GifWriter.Encode(frames, 50);
        using var codec = SKCodec.Create(new SKMemoryStream(bytes));
        Assert.NotNull(codec);
        Assert.Equal(SKEncodedImageFormat.Gif, codec.EncodedFormat);
        Assert.Equal(3, codec.FrameCount);
        Assert.Equal(50, codec.FrameInfo[1].Duration);
        for (int f = 0; f < 3; f++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(96, 96, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            Assert.Equal(SKCodecResult.Success, codec.GetPixels(bitmap.Info, bitmap.GetPixels(), new SKCodecOptions(f)));
            for (int y = 0; y < 96; y += 7)
                for (int x = 0; x < 96; x += 5)
                {
                    var px = bitmap.GetPixel(x, y);
                    int p = y * 96 + x;
                    Assert.Equal((byte)MathF.Round(frames[f].Data[p] * 255), px.Red);
                    Assert.Equal((byte)MathF.Round(frames[f].Data[96 * 96 + p] * 255), px.Green);
                    Assert.Equal((byte)MathF.Round(frames[f].Data[2 * 96 * 96 + p] * 255), px.Blue);
                }
        }
    }

    [Fact]
    public void ManyColoursAreQuantisedClosely()
    {
        var image = new Image(64, 64, 3);
        for (int i = 0; i < image.Data.Length; i++) image.Data[i] = (i * 7919 % 1000) / 999f;
        var bytes = GifWriter.Encode([image]);
        using var bitmap = SKBitmap.Decode(bytes);
        double err = 0;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
            {
                var px = bitmap.GetPixel(x, y);
                int p = y * 64 + x;
                err += Math.Abs(px.Red / 255.0 - image.Data[p]) + Math.Abs(px.Green / 255.0 - image.Data[4096 + p]) + Math.Abs(px.Blue / 255.0 - image.Data[8192 + p]);
            }
        Assert.True(err / (3 * 4096) < 0.06, $"mean absolute error {err / (3 * 4096):F3}");
        Assert.Throws<ArgumentException>(() => GifWriter.Encode([image, new Image(8, 8, 3)]));
    }
}
