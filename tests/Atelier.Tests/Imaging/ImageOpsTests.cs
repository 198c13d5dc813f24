using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Imaging;

public class ImageOpsTests
{
    /// <summary>Sample value encodes its position: c*100 + y*10 + x (divided by 1000 to stay in [0,1]).</summary>
    static Image Indexed(int w, int h, int c)
    {
        var img = new Image(w, h, c);
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) img[ch, y, x] = Code(ch, y, x);
        return img;
    }

    static float Code(int c, int y, int x) => (c * 100 + y * 10 + x) / 1000f;

    [Fact]
    public void CropsCopyTheRightRegion()
    {
        var img = Indexed(6, 5, 3);
        var crop = ImageOps.Crop(img, 2, 1, 3, 2);
        Assert.Equal((3, 2, 3), (crop.Width, crop.Height, crop.Channels));
        Assert.Equal(Code(2, 1, 2), crop[2, 0, 0]);
        Assert.Equal(Code(1, 2, 4), crop[1, 1, 2]);
        var center = ImageOps.CenterCrop(img, 2, 3);
        Assert.Equal(Code(0, 1, 2), center[0, 0, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Crop(img, 4, 0, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Crop(img, -1, 0, 3, 1));
    }

    [Fact]
    public void RandomCropIsReproducibleAndCoversAllOffsets()
    {
        var img = Indexed(6, 5, 1);
        var a = ImageOps.RandomCrop(img, 4, 4, new Random(3));
        var b = ImageOps.RandomCrop(img, 4, 4, new Random(3));
        Assert.Equal(a.Data, b.Data);
        var rng = new Random(1);
        var origins = new HashSet<float>();
        for (int i = 0; i < 200; i++) origins.Add(ImageOps.RandomCrop(img, 4, 4, rng)[0, 0, 0]);
        Assert.Equal(3 * 2, origins.Count); // x in 0..2, y in 0..1
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.RandomCrop(img, 7, 1, rng));
    }

    [Fact]
    public void FlipsAndRotationsMovePixelsCorrectly()
    {
        var img = Indexed(4, 3, 3);
        var h = ImageOps.FlipHorizontal(img);
        var v = ImageOps.FlipVertical(img);
        var r180 = ImageOps.Rotate180(img);
        var cw = ImageOps.Rotate90Clockwise(img);
        var ccw = ImageOps.Rotate90CounterClockwise(img);
        var tr = ImageOps.Transpose(img);
        Assert.Equal((3, 4), (cw.Width, cw.Height));
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 4; x++)
                {
                    float s = img[c, y, x];
                    Assert.Equal(s, h[c, y, 3 - x]);
                    Assert.Equal(s, v[c, 2 - y, x]);
                    Assert.Equal(s, r180[c, 2 - y, 3 - x]);
                    Assert.Equal(s, cw[c, x, 2 - y]);  // clockwise: row y becomes column (H-1-y)
                    Assert.Equal(s, ccw[c, 3 - x, y]);
                    Assert.Equal(s, tr[c, x, y]);
                }
        Assert.Equal(img.Data, ImageOps.Rotate90CounterClockwise(cw).Data);
        Assert.Equal(img.Data, ImageOps.Transverse(ImageOps.Transverse(img)).Data);
        Assert.Equal(img.Data, ImageOps.FlipHorizontal(h).Data);
    }

    [Fact]
    public void PadModes()
    {
        var img = new Image(3, 1, 1, [0.1f, 0.2f, 0.3f]);
        Assert.Equal([0.5f, 0.5f, 0.1f, 0.2f, 0.3f, 0.5f], ImageOps.Pad(img, 2, 0, 1, 0, PadMode.Constant, [0.5f]).Data);
        Assert.Equal([0.1f, 0.1f, 0.1f, 0.2f, 0.3f, 0.3f], ImageOps.Pad(img, 2, 0, 1, 0, PadMode.Edge).Data);
        Assert.Equal([0.3f, 0.2f, 0.1f, 0.2f, 0.3f, 0.2f], ImageOps.Pad(img, 2, 0, 1, 0, PadMode.Reflect).Data);
        var tall = ImageOps.Pad(img, 0, 1, 0, 2, PadMode.Edge);
        Assert.Equal(img.Data, tall.Data.AsSpan(9, 3).ToArray());
        Assert.Equal((3, 4), (tall.Width, tall.Height));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Pad(img, 0, 1, 0, 0, PadMode.Reflect)); // height 1: nothing to mirror
        var rgb = ImageOps.Pad(TestImages.Constant(2, 2, 0.2f, 0.4f, 0.6f), 1, 1, 1, 1, fill: [1f, 0f, 0.5f]);
        Assert.Equal((4, 4), (rgb.Width, rgb.Height));
        Assert.Equal((1f, 0f, 0.5f), (rgb[0, 0, 0], rgb[1, 0, 0], rgb[2, 0, 0]));
        Assert.Equal((0.2f, 0.4f, 0.6f), (rgb[0, 1, 1], rgb[1, 1, 1], rgb[2, 1, 1]));
    }

    [Fact]
    public void GrayAndRgbConversions()
    {
        var rgb = TestImages.Constant(2, 2, 1f, 0.5f, 0f);
        var gray = ImageOps.ToGray(rgb);
        Assert.Equal(1, gray.Channels);
        Assert.Equal(0.299f + 0.587f * 0.5f, gray[0, 1, 1], 6);
        var back = ImageOps.ToRgb(gray);
        Assert.Equal(3, back.Channels);
        for (int c = 0; c < 3; c++) Assert.Equal(gray.Data, back.Plane(c).ToArray());
        var rgba = TestImages.Constant(2, 2, 0f, 0f, 0f, 0.25f);
        Assert.Equal(0.75f, ImageOps.ToRgb(rgba)[0, 0, 0], 6);                      // over white
        Assert.Equal(0.25f, ImageOps.ToRgb(TestImages.Constant(1, 1, 1f, 1f, 1f, 0.25f), (0f, 0f, 0f))[1, 0, 0], 6);
        Assert.Equal(0f, ImageOps.DropAlpha(rgba)[0, 0, 0]);
    }
}
