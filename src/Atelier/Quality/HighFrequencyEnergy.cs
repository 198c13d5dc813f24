using Atelier.Imaging;

namespace Atelier.Quality;

/// <summary>
/// How much of an image's energy sits at high spatial frequencies: the fraction of the power spectrum of its
/// luminance (mean removed, 2-D Hann window) above a quarter of the sampling frequency (radial frequency over
/// 0.25 cycles per pixel). Divided by the same fraction for the style image at the same size it becomes the
/// artifact figure of Gatys results: about 1 when the output is as fine-grained as the style, well above 1 when a
/// feature network leaves checkerboard noise (ResNet features without smoothing gave 5.3 on candy at 128 px).
/// </summary>
public static class HighFrequencyEnergy
{
    /// <summary>The cut-off, in cycles per pixel (the Nyquist frequency is 0.5).</summary>
    public const double Cutoff = 0.25;

    /// <summary>The fraction of spectral energy above <see cref="Cutoff"/>, in [0, 1].</summary>
    public static double Fraction(Image image)
    {
        int w = image.Width, h = image.Height;
        if (w < 8 || h < 8) throw new AtelierException($"the spectrum needs an image of at least 8x8, got {w}x{h}");
        var rgb = ImageOps.ToRgb(image);
        var y = new double[h, w];
        double mean = 0;
        var r = rgb.Plane(0); var g = rgb.Plane(1); var b = rgb.Plane(2);
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                int k = i * w + j;
                y[i, j] = 0.299 * r[k] + 0.587 * g[k] + 0.114 * b[k];
                mean += y[i, j];
            }
        mean /= (double)w * h;
        var hannY = Hann(h); var hannX = Hann(w);
        var re = new double[h, w]; var im = new double[h, w];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) re[i, j] = (y[i, j] - mean) * hannY[i] * hannX[j];
        Fft2(re, im);
        double total = 0, high = 0;
        for (int i = 0; i < h; i++)
        {
            double fy = (i <= h / 2 ? i : i - h) / (double)h;
            for (int j = 0; j < w; j++)
            {
                double fx = (j <= w / 2 ? j : j - w) / (double)w;
                double p = re[i, j] * re[i, j] + im[i, j] * im[i, j];
                total += p;
                if (fx * fx + fy * fy > Cutoff * Cutoff) high += p;
            }
        }
        return total > 0 ? high / total : 0;
    }

    /// <summary>
    /// The artifact figure: <see cref="Fraction"/> of <paramref name="output"/> divided by that of
    /// <paramref name="style"/> resized (bicubic) to the output's size.
    /// </summary>
    public static double ArtifactRatio(Image output, Image style)
    {
        var reference = style.Width == output.Width && style.Height == output.Height ? style : ImageResize.Resize(ImageOps.ToRgb(style), output.Width, output.Height);
        double s = Fraction(reference);
        return s > 0 ? Fraction(output) / s : double.PositiveInfinity;
    }

    static double[] Hann(int n)
    {
        var w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (n - 1));
        return w;
    }

    /// <summary>In-place 2-D DFT: rows then columns, each by <see cref="Dft1"/>.</summary>
    static void Fft2(double[,] re, double[,] im)
    {
        int h = re.GetLength(0), w = re.GetLength(1);
        var rr = new double[w]; var ri = new double[w];
        for (int i = 0; i < h; i++)
        {
            for (int j = 0; j < w; j++) { rr[j] = re[i, j]; ri[j] = im[i, j]; }
            Dft1(rr, ri);
            for (int j = 0; j < w; j++) { re[i, j] = rr[j]; im[i, j] = ri[j]; }
        }
        var cr = new double[h]; var ci = new double[h];
        for (int j = 0; j < w; j++)
        {
            for (int i = 0; i < h; i++) { cr[i] = re[i, j]; ci[i] = im[i, j]; }
            Dft1(cr, ci);
            for (int i = 0; i < h; i++) { re[i, j] = cr[i]; im[i, j] = ci[i]; }
        }
    }

    /// <summary>A 1-D DFT of any length: radix-2 FFT for powers of two, the direct sum otherwise (sizes here are small).</summary>
    static void Dft1(double[] re, double[] im)
    {
        int n = re.Length;
        if ((n & (n - 1)) == 0) { Radix2(re, im); return; }
        var or = new double[n]; var oi = new double[n];
        for (int k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * ((long)k * t % n) / n;
                double c = Math.Cos(a), s = Math.Sin(a);
                sr += re[t] * c - im[t] * s;
                si += re[t] * s + im[t] * c;
            }
            or[k] = sr; oi[k] = si;
        }
        Array.Copy(or, re, n); Array.Copy(oi, im, n);
    }

    static void Radix2(double[] re, double[] im)
    {
        int n = re.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            double a = -2 * Math.PI / len;
            double wr = Math.Cos(a), wi = Math.Sin(a);
            for (int i = 0; i < n; i += len)
            {
                double cr = 1, ci = 0;
                for (int k = 0; k < len / 2; k++)
                {
                    int p = i + k, q = i + k + len / 2;
                    double tr = re[q] * cr - im[q] * ci, ti = re[q] * ci + im[q] * cr;
                    re[q] = re[p] - tr; im[q] = im[p] - ti;
                    re[p] += tr; im[p] += ti;
                    double ncr = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr; cr = ncr;
                }
            }
        }
    }
}
