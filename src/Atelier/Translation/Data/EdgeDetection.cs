using Atelier.Imaging;

namespace Atelier.Translation.Data;

/// <summary>How <see cref="PairSource.Edges"/> draws its lines.</summary>
public enum EdgeMethod
{
    /// <summary>Canny: thin one-pixel contours (the pix2pix edges2shoes/handbags data used HED + post-processing; Canny is the classic stand-in).</summary>
    Canny,
    /// <summary>XDoG (Winnemöller et al. 2012): a thresholded difference of Gaussians, softer strokes like a pencil sketch.</summary>
    Xdog,
}

/// <summary>Edge maps of photos as black lines on white (the look of pix2pix's edges2* inputs), 3-channel.</summary>
public static class EdgeDetection
{
    /// <summary>
    /// Canny: Gaussian blur (<paramref name="sigma"/>), Sobel gradients, non-maximum suppression along the gradient, then
    /// hysteresis between two thresholds. The thresholds adapt to the image: the high one is the
    /// <paramref name="highQuantile"/> quantile of the gradient magnitudes, the low one <paramref name="lowRatio"/> of it,
    /// so dim and contrasty photos give similar line densities.
    /// </summary>
    public static Image Canny(Image photo, double sigma = 1.0, double highQuantile = 0.85, double lowRatio = 0.4)
    {
        var (gray, w, h) = Gray(photo);
        var smooth = GrayPlane.GaussianBlur(gray, w, h, sigma);
        var (gx, gy) = GrayPlane.Sobel(smooth, w, h);
        var mag = new float[gray.Length];
        for (int i = 0; i < mag.Length; i++) mag[i] = MathF.Sqrt(gx[i] * gx[i] + gy[i] * gy[i]);

        // Non-maximum suppression: keep a pixel only if it is the largest of its two neighbours along the gradient.
        var thin = new float[mag.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float m = mag[i];
                if (m <= 0) continue;
                double angle = Math.Atan2(gy[i], gx[i]) * 180 / Math.PI;
                if (angle < 0) angle += 180;
                (int dx, int dy) = angle < 22.5 || angle >= 157.5 ? (1, 0) : angle < 67.5 ? (1, 1) : angle < 112.5 ? (0, 1) : (-1, 1);
                float a = At(mag, w, h, x + dx, y + dy), b = At(mag, w, h, x - dx, y - dy);
                if (m >= a && m >= b) thin[i] = m;
            }

        var sorted = (float[])mag.Clone();
        Array.Sort(sorted);
        float high = sorted[Math.Clamp((int)(highQuantile * (sorted.Length - 1)), 0, sorted.Length - 1)];
        var edges = new bool[mag.Length];
        if (high > 1e-4f)
        {
            float low = (float)(lowRatio * high);
            // Hysteresis: strong pixels seed; weak pixels join when 8-connected to an edge.
            var stack = new Stack<int>();
            for (int i = 0; i < thin.Length; i++)
                if (thin[i] >= high) { edges[i] = true; stack.Push(i); }
            while (stack.Count > 0)
            {
                int i = stack.Pop(), x = i % w, y = i / w;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                        int j = yy * w + xx;
                        if (!edges[j] && thin[j] >= low) { edges[j] = true; stack.Push(j); }
                    }
            }
        }
        var plane = new float[gray.Length];
        for (int i = 0; i < plane.Length; i++) plane[i] = edges[i] ? 0f : 1f;
        return ToRgb(plane, w, h);
    }

    /// <summary>
    /// XDoG: D = G_sigma(I) - tau * G_{k sigma}(I); white where D >= eps, else 1 + tanh(phi (D - eps)) (soft dark strokes
    /// on the dark side of edges). Defaults give sketch-like lines on photos in [0,1].
    /// </summary>
    public static Image Xdog(Image photo, double sigma = 0.8, double k = 1.6, double tau = 0.98, double eps = -0.005, double phi = 200)
    {
        var (gray, w, h) = Gray(photo);
        var g1 = GrayPlane.GaussianBlur(gray, w, h, sigma);
        var g2 = GrayPlane.GaussianBlur(gray, w, h, k * sigma);
        var plane = new float[gray.Length];
        for (int i = 0; i < plane.Length; i++)
        {
            double d = g1[i] - tau * g2[i];
            plane[i] = d >= eps ? 1f : (float)Math.Clamp(1 + Math.Tanh(phi * (d - eps)), 0, 1);
        }
        return ToRgb(plane, w, h);
    }

    static float At(float[] p, int w, int h, int x, int y) => x < 0 || y < 0 || x >= w || y >= h ? 0 : p[y * w + x];

    static (float[] Gray, int W, int H) Gray(Image photo)
    {
        var g = ImageOps.ToGray(photo);
        return (g.Data, g.Width, g.Height);
    }

    internal static Image ToRgb(float[] plane, int w, int h)
    {
        var img = new Image(w, h, 3);
        for (int c = 0; c < 3; c++) plane.AsSpan().CopyTo(img.Plane(c));
        return img;
    }
}
