using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Imaging;

/// <summary>Small deterministic images for the imaging tests.</summary>
internal static class TestImages
{
    /// <summary>Random samples, rounded to 8-bit levels (k/255) so PNG round trips can be exact.</summary>
    /// <summary>RGB noise, uniform in [0, 1) from System.Random(seed): a picture no network has seen.</summary>
    public static Image Noise(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(width, height, 3);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (float)rng.NextDouble();
        return img;
    }

    public static Image Random8Bit(int width, int height, int channels, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(width, height, channels);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = rng.Next(256) / 255f;
        return img;
    }

    /// <summary>A smooth pattern (JPEG and lossy WebP reproduce it closely).</summary>
    public static Image Smooth(int width, int height, int channels)
    {
        var img = new Image(width, height, channels);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    img[c, y, x] = 0.5f + 0.4f * MathF.Sin(0.15f * x + 0.6f * c) * MathF.Cos(0.11f * y - 0.3f * c);
        return img;
    }

    public static Image Constant(int width, int height, params float[] values)
    {
        var img = new Image(width, height, values.Length);
        for (int c = 0; c < values.Length; c++) img.Plane(c).Fill(values[c]);
        return img;
    }

    public static double MeanAbsDiff(Image a, Image b)
    {
        Assert.Equal((a.Width, a.Height, a.Channels), (b.Width, b.Height, b.Channels));
        double sum = 0;
        for (int i = 0; i < a.Data.Length; i++) sum += Math.Abs(a.Data[i] - b.Data[i]);
        return sum / a.Data.Length;
    }

    public static double MaxAbsDiff(Image a, Image b)
    {
        Assert.Equal((a.Width, a.Height, a.Channels), (b.Width, b.Height, b.Channels));
        double max = 0;
        for (int i = 0; i < a.Data.Length; i++) max = Math.Max(max, Math.Abs(a.Data[i] - b.Data[i]));
        return max;
    }
}
