namespace Atelier.Imaging;

/// <summary>
/// Texture samples drawn by code, so the demo and the studio work out of the box with nothing downloaded:
/// a brick wall, Voronoi cells (pebbles), and a woven fabric. Deterministic for a given size and seed.
/// </summary>
public static class ProceduralSamples
{
    public static IReadOnlyList<string> Names { get; } = ["bricks", "pebbles", "weave"];

    public static Image Make(string name, int size = 64, int seed = 1) => name switch
    {
        "bricks" => Bricks(size, size, seed),
        "pebbles" => Pebbles(size, size, seed),
        "weave" => Weave(size, size, seed),
        _ => throw new AtelierException($"no built-in sample named '{name}' (have: {string.Join(", ", Names)})"),
    };

    /// <summary>Running-bond bricks with per-brick colour, mortar lines and grain.</summary>
    public static Image Bricks(int width, int height, int seed)
    {
        var img = new Image(width, height, 3);
        var rng = new Random(seed);
        int bw = Math.Max(8, width / 4), bh = Math.Max(4, bw / 2), mortar = Math.Max(1, bw / 12);
        var tint = new float[64, 64];
        for (int i = 0; i < 64; i++) for (int j = 0; j < 64; j++) tint[i, j] = (float)(rng.NextDouble() * 0.16 - 0.08);
        for (int y = 0; y < height; y++)
        {
            int row = y / bh;
            int offset = row % 2 == 0 ? 0 : bw / 2;
            for (int x = 0; x < width; x++)
            {
                int col = (x + offset) / bw;
                bool isMortar = y % bh < mortar || (x + offset) % bw < mortar;
                float grain = (float)(rng.NextDouble() * 0.06 - 0.03);
                float r, g, b;
                if (isMortar) { r = 0.78f; g = 0.76f; b = 0.72f; }
                else
                {
                    float t = tint[row & 63, col & 63];
                    r = 0.62f + t; g = 0.27f + t * 0.6f; b = 0.20f + t * 0.4f;
                }
                Set(img, x, y, r + grain, g + grain, b + grain);
            }
        }
        return img;
    }

    /// <summary>Voronoi cells: rounded grey-brown pebbles with dark gaps, shaded towards their edges.</summary>
    public static Image Pebbles(int width, int height, int seed)
    {
        var img = new Image(width, height, 3);
        var rng = new Random(seed);
        int count = Math.Max(6, width * height / 180);
        var pts = new (float X, float Y, float R, float G, float B)[count];
        for (int i = 0; i < count; i++)
        {
            float tone = (float)rng.NextDouble();
            pts[i] = ((float)rng.NextDouble() * width, (float)rng.NextDouble() * height,
                0.45f + 0.35f * tone, 0.42f + 0.3f * tone, 0.36f + 0.25f * tone);
        }
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float d1 = float.MaxValue, d2 = float.MaxValue; int best = 0;
                for (int i = 0; i < count; i++)
                {
                    // Wrap around so the sample tiles like a real texture crop would not, but synthesis likes.
                    float dx = Math.Abs(x - pts[i].X); dx = Math.Min(dx, width - dx);
                    float dy = Math.Abs(y - pts[i].Y); dy = Math.Min(dy, height - dy);
                    float d = MathF.Sqrt(dx * dx + dy * dy);
                    if (d < d1) { d2 = d1; d1 = d; best = i; } else if (d < d2) d2 = d;
                }
                float edge = Math.Clamp((d2 - d1) / 3f, 0f, 1f); // 0 on the border between two cells
                float shade = 0.25f + 0.75f * edge;
                var p = pts[best];
                Set(img, x, y, p.R * shade, p.G * shade, p.B * shade);
            }
        return img;
    }

    /// <summary>A plain weave: alternating warp and weft threads with thread shading.</summary>
    public static Image Weave(int width, int height, int seed)
    {
        var img = new Image(width, height, 3);
        var rng = new Random(seed);
        int t = Math.Max(4, width / 8);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int cx = x / t, cy = y / t;
                bool warpOnTop = (cx + cy) % 2 == 0;
                float u = (x % t + 0.5f) / t, v = (y % t + 0.5f) / t;
                float across = warpOnTop ? u : v;             // across the visible thread
                float shade = 0.55f + 0.45f * MathF.Sin(MathF.PI * across);
                float noise = (float)(rng.NextDouble() * 0.05);
                if (warpOnTop) Set(img, x, y, 0.20f * shade + noise, 0.32f * shade + noise, 0.62f * shade + noise);
                else Set(img, x, y, 0.85f * shade + noise, 0.78f * shade + noise, 0.52f * shade + noise);
            }
        return img;
    }

    static void Set(Image img, int x, int y, float r, float g, float b)
    {
        img[0, y, x] = Math.Clamp(r, 0f, 1f);
        img[1, y, x] = Math.Clamp(g, 0f, 1f);
        img[2, y, x] = Math.Clamp(b, 0f, 1f);
    }

    /// <summary>
    /// A one-channel mask with an ellipse of 1 in the middle (a hole to fill): the demo's and the tests' stand-in
    /// for a painted region, <paramref name="fraction"/> of each side wide and high.
    /// </summary>
    public static Image EllipseMask(int width, int height, double fraction = 0.35)
    {
        var mask = new Image(width, height, 1);
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0, rx = width * fraction / 2, ry = height * fraction / 2;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if ((x - cx) * (x - cx) / (rx * rx) + (y - cy) * (y - cy) / (ry * ry) <= 1) mask[0, y, x] = 1f;
        return mask;
    }
}
