using System.Text.Json;
using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Imaging;

public class ImageResizeTests
{
    static readonly ResizeFilter[] AllFilters = Enum.GetValues<ResizeFilter>();

    /// <summary>
    /// Expected values from torch 1.13 interpolate(..., antialias=True, align_corners=False) (fixtures/imaging/
    /// make_resize_expected.py), clamped to [0,1]. Tolerance: 1e-5 absolute (float accumulation order differs).
    /// </summary>
    [Fact]
    public void MatchesTorchInterpolate()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("imaging", "resize_expected.json")));
        var root = doc.RootElement;
        var input = new Image(root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32(), root.GetProperty("channels").GetInt32(),
            root.GetProperty("input").EnumerateArray().Select(v => v.GetSingle()).ToArray());
        int checkedCases = 0;
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var filter = Enum.Parse<ResizeFilter>(c.GetProperty("filter").GetString()!);
            int w = c.GetProperty("width").GetInt32(), h = c.GetProperty("height").GetInt32();
            var expected = c.GetProperty("expected").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var actual = ImageResize.Resize(input, w, h, filter);
            Assert.Equal((w, h, 3), (actual.Width, actual.Height, actual.Channels));
            double max = expected.Select((e, i) => Math.Abs(e - actual.Data[i])).Max();
            Assert.True(max < 1e-5, $"{filter} {w}x{h}: max abs diff {max} vs torch {c.GetProperty("torch").GetString()}");
            checkedCases++;
        }
        Assert.Equal(8, checkedCases);
    }

    /// <summary>PIL 9.4 Image.resize outputs (fixtures/imaging/make_pil_resize_expected.py): must match exactly.</summary>
    [Fact]
    public void ResizeLikePilIsBitExact()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("imaging", "pil_resize_expected.json")));
        var root = doc.RootElement;
        var input = new Image(root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32(), 3,
            root.GetProperty("input").EnumerateArray().Select(v => v.GetInt32() / 255f).ToArray());
        int cases = 0;
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var filter = Enum.Parse<ResizeFilter>(c.GetProperty("filter").GetString()!);
            int w = c.GetProperty("width").GetInt32(), h = c.GetProperty("height").GetInt32();
            var expected = c.GetProperty("expected").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var actual = ImageResize.ResizeLikePil(input, w, h, filter);
            var levels = actual.Data.Select(v => (int)MathF.Round(v * 255f)).ToArray();
            int mismatches = expected.Where((e, i) => e != levels[i]).Count();
            Assert.True(mismatches == 0, $"{filter} {w}x{h}: {mismatches} of {expected.Length} samples differ from PIL");
            cases++;
        }
        Assert.Equal(18, cases);
    }

    [Fact]
    public void ConstantImagesStayConstant()
    {
        var img = TestImages.Constant(13, 9, 0.2f, 0.7f, 1f);
        foreach (var filter in AllFilters)
            foreach (var (w, h) in new[] { (5, 4), (26, 18), (7, 30), (1, 1), (13, 2) })
            {
                var r = ImageResize.Resize(img, w, h, filter);
                for (int c = 0; c < 3; c++)
                    Assert.All(r.Plane(c).ToArray(), v => Assert.Equal(img.Data[c * img.PlaneSize], v, 5));
            }
    }

    [Fact]
    public void AreaHalvingIsExactTwoByTwoBlockMeans()
    {
        // Samples k/64 are exact in float, so the block means are too.
        var rng = new Random(7);
        var img = new Image(10, 6, 3);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = rng.Next(65) / 64f;
        var r = ImageResize.Resize(img, 5, 3, ResizeFilter.Area);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 5; x++)
                {
                    float mean = (img[c, 2 * y, 2 * x] + img[c, 2 * y, 2 * x + 1] + img[c, 2 * y + 1, 2 * x] + img[c, 2 * y + 1, 2 * x + 1]) / 4f;
                    Assert.Equal(mean, r[c, y, x]);
                }
    }

    [Fact]
    public void AreaWithFractionalScaleWeighsCoverage()
    {
        // 3 -> 2 pixels: output 0 covers [0, 1.5) = p0 + half of p1.
        var img = new Image(3, 1, 1, [0f, 0.5f, 1f]);
        var r = ImageResize.Resize(img, 2, 1, ResizeFilter.Area);
        Assert.Equal((0f + 0.25f) / 1.5f, r.Data[0], 6);
        Assert.Equal((0.25f + 1f) / 1.5f, r.Data[1], 6);
    }

    [Fact]
    public void UpscaleThenDownscaleReturnsCloseToOriginal()
    {
        var img = TestImages.Smooth(24, 16, 3);
        foreach (var filter in new[] { ResizeFilter.Bicubic, ResizeFilter.Bilinear, ResizeFilter.Area })
        {
            var back = ImageResize.Resize(ImageResize.Resize(img, 72, 48, filter), 24, 16, filter);
            double mean = TestImages.MeanAbsDiff(img, back);
            Assert.True(mean < 0.01, $"{filter}: mean abs diff {mean}");
        }
        // Nearest by an integer factor is exactly invertible.
        var n = ImageResize.Resize(ImageResize.Resize(img, 72, 48, ResizeFilter.Nearest), 24, 16, ResizeFilter.Nearest);
        Assert.Equal(img.Data, n.Data);
    }

    [Fact]
    public void DownscalingAntialiases()
    {
        // A one-pixel checkerboard shrunk 4x: sampling without antialiasing would give pure 0 or 1.
        var img = new Image(64, 64, 1);
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++) img[0, y, x] = (x + y) % 2;
        foreach (var filter in new[] { ResizeFilter.Bicubic, ResizeFilter.Bilinear, ResizeFilter.Area })
        {
            var r = ImageResize.Resize(img, 16, 16, filter);
            Assert.All(r.Data, v => Assert.InRange(v, 0.45f, 0.55f));
        }
    }

    [Fact]
    public void ResizeToFitAndShorterSideKeepAspect()
    {
        var img = TestImages.Smooth(40, 20, 3);
        var fit = ImageResize.ResizeToFit(img, 10);
        Assert.Equal((10, 5), (fit.Width, fit.Height));
        Assert.Equal((40, 20), (ImageResize.ResizeToFit(img, 100).Width, ImageResize.ResizeToFit(img, 100).Height));
        var up = ImageResize.ResizeToFit(img, 100, allowUpscale: true);
        Assert.Equal((100, 50), (up.Width, up.Height));
        var shorter = ImageResize.ResizeShorterSide(img, 10);
        Assert.Equal((20, 10), (shorter.Width, shorter.Height));
        var tall = ImageResize.ResizeShorterSide(TestImages.Smooth(15, 45, 1), 30);
        Assert.Equal((30, 90), (tall.Width, tall.Height));
    }

    [Fact]
    public void LargeResizeKeepsAConstantImageConstant()
    {
        // Timing belongs in bench/; here a large bicubic downscale must still be exact on flat input.
        var img = new Image(1024, 768, 3);
        Array.Fill(img.Data, 0.25f);
        var r = ImageResize.Resize(img, 512, 384, ResizeFilter.Bicubic);
        Assert.Equal((512, 384), (r.Width, r.Height));
        Assert.All(r.Data, v => Assert.Equal(0.25f, v, 5));
    }
}
