using Atelier.Imaging;
using Atelier.Training;

namespace Atelier.StyleGan.Training;

/// <summary>
/// A synthetic training set for small GANs: one coloured circle, square or triangle per image (random size,
/// position, rotation and colours) on a plain background with a soft vertical gradient. Antialiased by 4x4
/// supersampling. The same seed gives the same images.
/// </summary>
public static class ShapesDataset
{
    public enum Shape { Circle, Square, Triangle }

    /// <summary>The image at <paramref name="index"/> of the set drawn from <paramref name="seed"/> (independent of the others).</summary>
    public static Image Render(long seed, int index, int size)
    {
        if (size < 4) throw new AtelierUsageException($"{{Size}} {size}: must be at least 4");
        var random = new TrainingRandom(seed * 1_000_003 + index);
        var shape = (Shape)random.Next(3);
        var bg = RandomColor(random);
        var fg = RandomColor(random);
        // Keep the shape visible: push its colour away from the background when they are close.
        if (Math.Abs(bg.R - fg.R) + Math.Abs(bg.G - fg.G) + Math.Abs(bg.B - fg.B) < 0.6) fg = (1 - bg.R, 1 - bg.G, 1 - bg.B);
        double radius = 0.18 + 0.17 * random.NextDouble(); // fraction of the side
        double cx = radius + (1 - 2 * radius) * random.NextDouble();
        double cy = radius + (1 - 2 * radius) * random.NextDouble();
        double angle = 2 * Math.PI * random.NextDouble();
        double shade = 0.25 * (random.NextDouble() - 0.5);

        var image = new Image(size, size, 3);
        const int ss = 4;
        int plane = size * size;
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            int inside = 0;
            for (int sy = 0; sy < ss; sy++)
            for (int sx = 0; sx < ss; sx++)
            {
                double u = (x + (sx + 0.5) / ss) / size - cx, v = (y + (sy + 0.5) / ss) / size - cy;
                if (Inside(shape, u, v, radius, angle)) inside++;
            }
            double a = (double)inside / (ss * ss);
            double g = 1 + shade * ((double)y / size - 0.5);
            int i = y * size + x;
            image.Data[i] = (float)Math.Clamp(a * fg.R + (1 - a) * bg.R * g, 0, 1);
            image.Data[plane + i] = (float)Math.Clamp(a * fg.G + (1 - a) * bg.G * g, 0, 1);
            image.Data[2 * plane + i] = (float)Math.Clamp(a * fg.B + (1 - a) * bg.B * g, 0, 1);
        }
        return image;
    }

    /// <summary>Writes <paramref name="count"/> PNGs shape_00000.png, ... to <paramref name="dir"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Write(string dir, int count, int size, long seed, IProgress<Runtime.ProgressReport>? progress = null, CancellationToken ct = default)
    {
        if (count < 1) throw new AtelierUsageException($"{{Count}} {count}: must be at least 1");
        Directory.CreateDirectory(dir);
        var paths = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var path = Path.Combine(dir, $"shape_{i:D5}.png");
            ImageIO.Save(Render(seed, i, size), path);
            paths.Add(path);
            if ((i + 1) % 50 == 0 || i + 1 == count) progress?.Report(new Runtime.ProgressReport(i + 1, count, "shapes"));
        }
        return paths;
    }

    static (double R, double G, double B) RandomColor(TrainingRandom random) =>
        (random.NextDouble(), random.NextDouble(), random.NextDouble());

    static bool Inside(Shape shape, double u, double v, double r, double angle)
    {
        double c = Math.Cos(angle), s = Math.Sin(angle);
        double ru = c * u + s * v, rv = -s * u + c * v;
        switch (shape)
        {
            case Shape.Circle: return u * u + v * v <= r * r;
            case Shape.Square: return Math.Abs(ru) <= r * 0.85 && Math.Abs(rv) <= r * 0.85;
            default:
                // Equilateral triangle with circumradius r: inside all three half-planes.
                for (int k = 0; k < 3; k++)
                {
                    double t = angle + k * 2 * Math.PI / 3;
                    if (Math.Cos(t) * u + Math.Sin(t) * v > r * 0.5) return false;
                }
                return true;
        }
    }
}
