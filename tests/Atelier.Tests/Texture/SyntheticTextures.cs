using Atelier.Imaging;

namespace Atelier.Tests.Texture;

/// <summary>Small procedural textures with known structure for the texture tests.</summary>
public static class SyntheticTextures
{
    /// <summary>Horizontal stripes: row y has the grey level of (y mod period), distinct per phase.</summary>
    public static Image Stripes(int width, int height, int period, int channels = 1)
    {
        var img = new Image(width, height, channels);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    img[c, y, x] = (y % period + 0.5f + c * 0.25f) / (period + 1);
        return img;
    }

    /// <summary>Colour diagonal stripes (period 12 along x, 6 along y): what lies in a hole or beyond a crop is predictable from around it.</summary>
    public static Image DiagonalStripes(int width, int height)
    {
        var img = new Image(width, height, 3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float v = (x + 2 * y) % 12 < 6 ? 0.85f : 0.2f;
                img[0, y, x] = v; img[1, y, x] = 0.5f * v + 0.2f; img[2, y, x] = 1 - v;
            }
        return img;
    }

    /// <summary>A checkerboard of squares <paramref name="cell"/> pixels wide (period 2 x cell), two grey levels.</summary>
    public static Image Checkerboard(int width, int height, int cell, int channels = 1)
    {
        var img = new Image(width, height, channels);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    img[c, y, x] = ((x / cell + y / cell) % 2 == 0) ? 0.15f + 0.1f * c : 0.85f - 0.1f * c;
        return img;
    }

    /// <summary>Colour dots: a 2x2 dot every <paramref name="period"/> pixels on a dark background.</summary>
    public static Image Dots(int width, int height, int period)
    {
        var img = new Image(width, height, 3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool dot = x % period < 2 && y % period < 2;
                img[0, y, x] = dot ? 0.9f : 0.1f;
                img[1, y, x] = dot ? 0.6f : 0.2f;
                img[2, y, x] = dot ? 0.2f : 0.3f;
            }
        return img;
    }

    /// <summary>Uniform white noise.</summary>
    public static Image Noise(int width, int height, int channels, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(width, height, channels);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = rng.NextSingle();
        return img;
    }

    /// <summary>A smooth, non-periodic colour texture (sum of sines plus a little noise): every window differs.</summary>
    public static Image Organic(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(width, height, 3);
        double a = rng.NextDouble() * 3, b = rng.NextDouble() * 3;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    img[c, y, x] = (float)Math.Clamp(0.5 + 0.3 * Math.Sin(0.7 * x + a + c) * Math.Cos(0.45 * y + b * c)
                        + 0.1 * (rng.NextDouble() - 0.5), 0, 1);
        return img;
    }
}
