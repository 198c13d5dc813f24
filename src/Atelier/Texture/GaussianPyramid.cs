using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>
/// A Gaussian pyramid: each level is the previous one blurred by the 5-tap binomial [1 4 6 4 1]/16 (borders
/// mirrored) and subsampled by two (level sizes round up, so pixel (x, y) has parent (x/2, y/2)).
/// </summary>
public static class GaussianPyramid
{
    static readonly float[] Kernel = [1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f];

    public static Image[] Build(Image image, int levels)
    {
        var result = new Image[levels];
        result[0] = image;
        for (int l = 1; l < levels; l++) result[l] = Reduce(result[l - 1]);
        return result;
    }

    public static (int Width, int Height) LevelSize(int width, int height, int level)
    {
        for (int l = 0; l < level; l++) { width = (width + 1) / 2; height = (height + 1) / 2; }
        return (width, height);
    }

    public static Image Reduce(Image src)
    {
        int W = src.Width, H = src.Height, w2 = (W + 1) / 2, h2 = (H + 1) / 2;
        var tmp = new float[W * h2];
        var dst = new Image(w2, h2, src.Channels);
        for (int c = 0; c < src.Channels; c++)
        {
            var p = src.Plane(c);
            for (int y = 0; y < h2; y++)
                for (int x = 0; x < W; x++)
                {
                    float s = 0;
                    for (int k = -2; k <= 2; k++) s += Kernel[k + 2] * p[Mirror(2 * y + k, H) * W + x];
                    tmp[y * W + x] = s;
                }
            var q = dst.Plane(c);
            for (int y = 0; y < h2; y++)
                for (int x = 0; x < w2; x++)
                {
                    float s = 0;
                    for (int k = -2; k <= 2; k++) s += Kernel[k + 2] * tmp[y * W + Mirror(2 * x + k, W)];
                    q[y * w2 + x] = s;
                }
        }
        return dst;
    }

    internal static int Mirror(int i, int n)
    {
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
        return i;
    }
}
