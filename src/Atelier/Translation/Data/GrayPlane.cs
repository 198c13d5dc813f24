namespace Atelier.Translation.Data;

/// <summary>
/// Small filters on one gray plane (row-major, width x height), used to derive pix2pix inputs from photos:
/// Gaussian blur, Sobel gradients. Borders are mirrored (reflect, as OpenCV's default).
/// </summary>
public static class GrayPlane
{
    /// <summary>Separable Gaussian blur with standard deviation <paramref name="sigma"/> pixels (radius 3 sigma).</summary>
    public static float[] GaussianBlur(float[] plane, int width, int height, double sigma)
    {
        if (sigma <= 0) return (float[])plane.Clone();
        int r = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var k = new float[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] = (float)(k[i] / sum);

        var tmp = new float[plane.Length];
        var result = new float[plane.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float s = 0;
                for (int i = -r; i <= r; i++) s += k[i + r] * plane[y * width + Reflect(x + i, width)];
                tmp[y * width + x] = s;
            }
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float s = 0;
                for (int i = -r; i <= r; i++) s += k[i + r] * tmp[Reflect(y + i, height) * width + x];
                result[y * width + x] = s;
            }
        return result;
    }

    /// <summary>Sobel derivatives (x to the right, y downwards).</summary>
    public static (float[] Gx, float[] Gy) Sobel(float[] plane, int width, int height)
    {
        var gx = new float[plane.Length];
        var gy = new float[plane.Length];
        for (int y = 0; y < height; y++)
        {
            int ym = Reflect(y - 1, height), yp = Reflect(y + 1, height);
            for (int x = 0; x < width; x++)
            {
                int xm = Reflect(x - 1, width), xp = Reflect(x + 1, width);
                float P(int yy, int xx) => plane[yy * width + xx];
                gx[y * width + x] = P(ym, xp) + 2 * P(y, xp) + P(yp, xp) - P(ym, xm) - 2 * P(y, xm) - P(yp, xm);
                gy[y * width + x] = P(yp, xm) + 2 * P(yp, x) + P(yp, xp) - P(ym, xm) - 2 * P(ym, x) - P(ym, xp);
            }
        }
        return (gx, gy);
    }

    /// <summary>Mirror index (without repeating the edge pixel) into [0, n).</summary>
    internal static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
    }
}
