using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>
/// Holes cut into photos whose content is known, for scoring completion against the removed pixels: a square, or
/// free-form brush strokes (a random walk of discs), covering a given share of the picture. Deterministic per seed.
/// </summary>
public static class HeldOutHoles
{
    public static bool[] Square(int width, int height, double share, Random random)
    {
        int side = (int)Math.Round(Math.Sqrt(share * width * height));
        int x0 = random.Next(0, width - side + 1), y0 = random.Next(0, height - side + 1);
        var hole = new bool[width * height];
        for (int y = y0; y < y0 + side; y++)
            for (int x = x0; x < x0 + side; x++) hole[y * width + x] = true;
        return hole;
    }

    /// <summary>Strokes of discs (radius 5-9 px) stepping 3 px along a slowly turning heading, until the share is reached.</summary>
    public static bool[] Strokes(int width, int height, double share, Random random)
    {
        var hole = new bool[width * height];
        int marked = 0, goal = (int)(share * width * height);
        while (marked < goal)
        {
            double x = random.Next(width), y = random.Next(height), heading = random.NextDouble() * 2 * Math.PI;
            int radius = random.Next(5, 10), steps = random.Next(20, 60);
            for (int s = 0; s < steps && marked < goal; s++)
            {
                for (int dy = -radius; dy <= radius; dy++)
                    for (int dx = -radius; dx <= radius; dx++)
                    {
                        int px = (int)x + dx, py = (int)y + dy;
                        if (dx * dx + dy * dy > radius * radius || (uint)px >= (uint)width || (uint)py >= (uint)height || hole[py * width + px]) continue;
                        hole[py * width + px] = true;
                        marked++;
                    }
                heading += (random.NextDouble() - 0.5) * 0.8;
                x = Math.Clamp(x + 3 * Math.Cos(heading), 0, width - 1);
                y = Math.Clamp(y + 3 * Math.Sin(heading), 0, height - 1);
            }
        }
        return hole;
    }

    /// <summary>The picture with the hole painted magenta, to show what was removed.</summary>
    public static Image Show(Image image, bool[] hole)
    {
        var shown = ImageOps.ToRgb(image).Clone();
        int n = shown.PlaneSize;
        for (int i = 0; i < n; i++)
            if (hole[i]) { shown.Data[i] = 1; shown.Data[n + i] = 0; shown.Data[2 * n + i] = 1; }
        return shown;
    }

    /// <summary>PSNR (dB) over the hole's pixels only, where the methods differ.</summary>
    public static double HolePsnr(Image filled, Image truth, bool[] hole)
    {
        int n = truth.PlaneSize, count = 0;
        double sum = 0;
        for (int c = 0; c < truth.Channels; c++)
            for (int i = 0; i < n; i++)
                if (hole[i]) { double d = filled.Data[c * n + i] - truth.Data[c * n + i]; sum += d * d; count++; }
        return 10 * Math.Log10(1 / Math.Max(sum / count, 1e-12));
    }
}
