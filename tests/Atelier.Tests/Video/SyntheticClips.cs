using Atelier.Imaging;

namespace Atelier.Tests.Video;

/// <summary>Tiny clips with known motion for the temporal tests: written as frame folders.</summary>
static class SyntheticClips
{
    /// <summary>
    /// A window of a shipped photo panned by (<paramref name="dx"/>, <paramref name="dy"/>) px a frame (fractional:
    /// bilinear resampling, as a real camera's pan), with a little per-frame sensor noise. Frame t shows the photo's
    /// content at (x + t·dx, y + t·dy), so the true backward flow is (dx, dy) everywhere but the entering edge.
    /// </summary>
    public static List<Image> Pan(int frames, int width, int height, float dx, float dy, float noise = 0.01f, int seed = 11)
    {
        var photo = ImageResize.Resize(ShippedPictures.Photos.All().Single(p => p.Name == "meadow").Load(), 2 * width, 2 * height);
        var rng = new Random(seed);
        var clip = new List<Image>();
        for (int t = 0; t < frames; t++)
        {
            var img = new Image(width, height, 3);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    float sx = 4 + x + t * dx, sy = 4 + y + t * dy;
                    int x0 = (int)sx, y0 = (int)sy;
                    float fx = sx - x0, fy = sy - y0;
                    for (int c = 0; c < 3; c++)
                    {
                        float v = (1 - fy) * ((1 - fx) * photo[c, y0, x0] + fx * photo[c, y0, x0 + 1])
                                + fy * ((1 - fx) * photo[c, y0 + 1, x0] + fx * photo[c, y0 + 1, x0 + 1]);
                        img[c, y, x] = Math.Clamp(v + noise * (float)(rng.NextDouble() - 0.5), 0, 1);
                    }
                }
            clip.Add(img);
        }
        return clip;
    }

    /// <summary>
    /// A textured square of side <paramref name="side"/> moving <paramref name="step"/> px right a frame over a still,
    /// textured background, with a little sensor noise. <see cref="SquareAt"/> says where it is in frame t.
    /// </summary>
    public static List<Image> MovingSquare(int frames, int width, int height, int side, int step, float noise = 0.01f, int seed = 13)
    {
        var rng = new Random(seed);
        var clip = new List<Image>();
        for (int t = 0; t < frames; t++)
        {
            var img = new Image(width, height, 3);
            var (sx, sy) = SquareAt(t, height, side, step);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    bool inside = x >= sx && x < sx + side && y >= sy && y < sy + side;
                    for (int c = 0; c < 3; c++)
                    {
                        // Background: soft stripes and a gradient; square: a warm checker that moves with it.
                        float v = inside
                            ? (((x - sx) / 4 + (y - sy) / 4) % 2 == 0 ? 0.95f : 0.6f) - 0.25f * c
                            : 0.25f + 0.15f * MathF.Sin(0.45f * x + 0.3f * y + c) + 0.2f * y / height;
                        img[c, y, x] = Math.Clamp(v + noise * (float)(rng.NextDouble() - 0.5), 0, 1);
                    }
                }
            clip.Add(img);
        }
        return clip;
    }

    public static (int X, int Y) SquareAt(int t, int height, int side, int step) => (6 + step * t, (height - side) / 2);

    public static string Write(IReadOnlyList<Image> clip, string folder)
    {
        Directory.CreateDirectory(folder);
        for (int t = 0; t < clip.Count; t++) ImageIO.Save(clip[t], Path.Combine(folder, $"in_{t:D3}.png"));
        return folder;
    }
}
