using Atelier.Imaging;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Imaging;

public class ImageTensorsTests
{
    [Fact]
    public void ToTensorIsNchwInZeroOne()
    {
        using var scope = NewDisposeScope();
        var img = TestImages.Random8Bit(5, 3, 3, seed: 1);
        var t = ImageTensors.ToTensor(img);
        Assert.Equal(new long[] { 1, 3, 3, 5 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 5; x++)
                    Assert.Equal(img[c, y, x], t[0, c, y, x].item<float>());
    }

    [Fact]
    public void MinusOneOneMapsAffinelyAndRoundTrips()
    {
        using var scope = NewDisposeScope();
        var img = TestImages.Random8Bit(7, 4, 4, seed: 2);
        img.Data[5] = 0f;
        var t = ImageTensors.ToTensor(img, ValueRange.MinusOneOne);
        var expected = tensor(img.Data.Select(v => 2 * v - 1).ToArray(), [1, 4, 4, 7]);
        Assert.True(t.allclose(expected, rtol: 0, atol: 1e-6));
        Assert.Equal(-1f, t.min().item<float>(), 6);
        var back = ImageTensors.FromTensor(t, ValueRange.MinusOneOne);
        Assert.True(TestImages.MaxAbsDiff(img, back) < 1e-6);
        Assert.Equal(img.Data, ImageTensors.FromTensor(ImageTensors.ToTensor(img)).Data); // [0,1]: exact
    }

    [Fact]
    public void FromTensorAcceptsChwClampsAndLeavesInputAlone()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new float[] { -3f, 0.25f, 2f, float.NaN, 0.5f, 1f }, [1, 2, 3]);
        var img = ImageTensors.FromTensor(t);
        Assert.Equal((3, 2, 1), (img.Width, img.Height, img.Channels));
        Assert.Equal([0f, 0.25f, 1f, 0f, 0.5f, 1f], img.Data);
        Assert.Equal(-3f, t[0, 0, 0].item<float>()); // not clamped in place
        // float64 and [-1,1]
        var d = tensor(new double[] { -1, 0, 1, 3 }, [1, 1, 2, 2]);
        Assert.Equal([0f, 0.5f, 1f, 1f], ImageTensors.FromTensor(d, ValueRange.MinusOneOne).Data);
    }

    [Fact]
    public void FromTensorRejectsBadShapes()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ImageTensors.FromTensor(zeros(2, 3, 4, 4)));
        Assert.Throws<ArgumentException>(() => ImageTensors.FromTensor(zeros(2, 4, 4)));
        Assert.Throws<ArgumentException>(() => ImageTensors.FromTensor(zeros(4, 4)));
    }

    [Fact]
    public void BatchesStackAndSplit()
    {
        using var scope = NewDisposeScope();
        var images = Enumerable.Range(0, 3).Select(i => TestImages.Random8Bit(6, 5, 3, seed: 10 + i)).ToList();
        var batch = ImageTensors.ToTensor(images, ValueRange.MinusOneOne);
        Assert.Equal(new long[] { 3, 3, 5, 6 }, batch.shape);
        Assert.Equal(2 * images[2][1, 4, 5] - 1, batch[2, 1, 4, 5].item<float>(), 6);
        var back = ImageTensors.FromBatch(batch, ValueRange.MinusOneOne);
        for (int i = 0; i < 3; i++) Assert.True(TestImages.MaxAbsDiff(images[i], back[i]) < 1e-6);
        var e = Assert.Throws<ArgumentException>(() => ImageTensors.ToTensor([images[0], TestImages.Random8Bit(6, 4, 3, 1)]));
        Assert.Contains("image 1 is 6x4x3", e.Message);
    }

    [Fact]
    public void LargeConversionRoundTrips()
    {
        // Speed is measured in bench/, never in a test; here only the 1024x1024 round trip's exactness.
        using var scope = NewDisposeScope();
        var img = TestImages.Random8Bit(1024, 1024, 3, seed: 4);
        var back = ImageTensors.FromTensor(ImageTensors.ToTensor(img, ValueRange.MinusOneOne), ValueRange.MinusOneOne);
        Assert.True(TestImages.MaxAbsDiff(img, back) < 1e-6);
    }
}
