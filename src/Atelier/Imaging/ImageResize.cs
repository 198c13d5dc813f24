using System.Numerics.Tensors;

namespace Atelier.Imaging;

/// <summary>Resampling filter for <see cref="ImageResize.Resize"/>.</summary>
public enum ResizeFilter
{
    /// <summary>Exact area average: each output pixel is the mean of the source area it covers, with fractional edge weights.</summary>
    Area,
    /// <summary>Triangle filter; widened by the scale factor when shrinking (antialiased, like PIL and torch antialias=True).</summary>
    Bilinear,
    /// <summary>Cubic filter with a = -0.5 (PIL's and torch's antialiased bicubic); widened when shrinking. The default.</summary>
    Bicubic,
    /// <summary>The source pixel under each output pixel centre (torch "nearest-exact", PIL NEAREST).</summary>
    Nearest,
}

/// <summary>
/// Separable resampling (one horizontal and one vertical pass with precomputed taps, parallel over rows), using
/// half-pixel centres (align_corners=False). When shrinking, the bilinear and bicubic kernels are stretched by the
/// scale factor so every source pixel contributes (no aliasing) — the algorithm of PIL's resample and of
/// torch.nn.functional.interpolate(antialias=True); results match torch's float output to ~1e-6.
/// Bicubic output is clamped to [0,1] (the kernel overshoots at edges).
/// </summary>
public static partial class ImageResize
{
    public static Image Resize(Image image, int width, int height, ResizeFilter filter = ResizeFilter.Bicubic)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"target size must be positive, got {width}x{height}");
        if (width == image.Width && height == image.Height) return image.Clone();
        int c = image.Channels;
        // Horizontal pass (C*H rows of the source) then vertical pass (C*outH rows of the result).
        float[] wide = width == image.Width ? image.Data : new float[c * image.Height * width];
        if (width != image.Width) Horizontal(image.Data, image.Width, wide, width, c * image.Height, Taps.For(image.Width, width, filter));
        var result = new Image(width, height, c);
        if (height == image.Height) Array.Copy(wide, result.Data, wide.Length);
        else Vertical(wide, image.Height, result.Data, height, width, c, Taps.For(image.Height, height, filter));
        return filter == ResizeFilter.Bicubic ? ImageOps.ClampInPlace(result) : result;
    }

    /// <summary>
    /// Scales so the longer side is <paramref name="maxSide"/>, keeping the aspect ratio. An image that already fits is
    /// returned unchanged (a copy) unless <paramref name="allowUpscale"/>.
    /// </summary>
    public static Image ResizeToFit(Image image, int maxSide, ResizeFilter filter = ResizeFilter.Bicubic, bool allowUpscale = false)
    {
        if (maxSide <= 0) throw new ArgumentOutOfRangeException(nameof(maxSide), $"maximum side must be positive, got {maxSide}");
        int longer = Math.Max(image.Width, image.Height);
        if (longer <= maxSide && !allowUpscale) return image.Clone();
        double scale = (double)maxSide / longer;
        return Resize(image, Scaled(image.Width, scale), Scaled(image.Height, scale), filter);
    }

    /// <summary>Scales (up or down) so the shorter side is <paramref name="side"/>, keeping the aspect ratio.</summary>
    public static Image ResizeShorterSide(Image image, int side, ResizeFilter filter = ResizeFilter.Bicubic)
    {
        if (side <= 0) throw new ArgumentOutOfRangeException(nameof(side), $"side must be positive, got {side}");
        double scale = (double)side / Math.Min(image.Width, image.Height);
        return Resize(image, Scaled(image.Width, scale), Scaled(image.Height, scale), filter);
    }

    static int Scaled(int size, double scale) => Math.Max(1, (int)Math.Round(size * scale, MidpointRounding.AwayFromZero));

    static void Horizontal(float[] src, int inW, float[] dst, int outW, int rows, Taps taps)
    {
        ForRows(rows, (long)rows * outW * taps.MaxCount, row =>
        {
            var s = src.AsSpan(row * inW, inW);
            var d = dst.AsSpan(row * outW, outW);
            var w = taps.Weights;
            for (int x = 0; x < outW; x++)
            {
                int start = taps.Start[x], count = taps.Count[x], off = x * taps.MaxCount;
                float sum = 0f;
                for (int k = 0; k < count; k++) sum += w[off + k] * s[start + k];
                d[x] = sum;
            }
        });
    }

    static void Vertical(float[] src, int inH, float[] dst, int outH, int width, int channels, Taps taps)
    {
        ForRows(channels * outH, (long)channels * outH * width * taps.MaxCount, row =>
        {
            int c = row / outH, y = row % outH;
            var d = dst.AsSpan(row * width, width);
            d.Clear();
            int start = taps.Start[y], count = taps.Count[y], off = y * taps.MaxCount;
            // Whole rows at a time: a vectorised multiply-add per tap.
            for (int k = 0; k < count; k++)
                TensorPrimitives.MultiplyAdd(src.AsSpan((c * inH + start + k) * width, width), taps.Weights[off + k], d, d);
        });
    }

    /// <summary>Runs serially for small jobs, where thread hand-off costs more than the work.</summary>
    static void ForRows(int rows, long work, Action<int> body)
    {
        if (work < 1 << 16) { for (int r = 0; r < rows; r++) body(r); }
        else Parallel.For(0, rows, body);
    }

    /// <summary>For each output index: first source index, tap count and normalised weights (padded to MaxCount).</summary>
    sealed class Taps
    {
        public required int[] Start;
        public required int[] Count;
        public required float[] Weights;
        public required int MaxCount;
        /// <summary>The normalised weights in double precision (kernel filters only), for the PIL-exact path.</summary>
        public double[]? ExactWeights;

        public static Taps For(int inSize, int outSize, ResizeFilter filter) => filter switch
        {
            ResizeFilter.Nearest => Nearest(inSize, outSize),
            ResizeFilter.Area => Area(inSize, outSize),
            ResizeFilter.Bilinear => Kernel(inSize, outSize, 1.0, Triangle),
            _ => Kernel(inSize, outSize, 2.0, Cubic),
        };

        // Keys' cubic with a = -0.5, as PIL and torch's antialiased bicubic use.
        internal static double Triangle(double x)
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }

        internal static double Cubic(double x)
        {
            const double a = -0.5;
            x = Math.Abs(x);
            if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
            if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
            return 0.0;
        }

        /// <param name="support">Kernel half-width in source pixels at scale 1.</param>
        /// <param name="kernel">Kernel of the signed distance (PIL's box filter is asymmetric at +-0.5).</param>
        internal static Taps Kernel(int inSize, int outSize, double support, Func<double, double> kernel)
        {
            double scale = (double)inSize / outSize;
            double stretch = Math.Max(scale, 1.0); // widen when shrinking: the antialiasing
            double reach = support * stretch, inv = 1.0 / stretch;
            int maxCount = (int)Math.Ceiling(reach) * 2 + 1;
            var t = new Taps { Start = new int[outSize], Count = new int[outSize], Weights = new float[outSize * maxCount], MaxCount = maxCount,
                ExactWeights = new double[outSize * maxCount] };
            var w = new double[maxCount];
            for (int x = 0; x < outSize; x++)
            {
                double center = (x + 0.5) * scale;
                int lo = Math.Max((int)(center - reach + 0.5), 0);
                int hi = Math.Min((int)(center + reach + 0.5), inSize);
                int n = Math.Min(hi - lo, maxCount);
                double total = 0;
                for (int k = 0; k < n; k++) total += w[k] = kernel((lo + k - center + 0.5) * inv);
                t.Start[x] = lo; t.Count[x] = n;
                for (int k = 0; k < n; k++)
                {
                    double normalised = total != 0 ? w[k] / total : 0;
                    t.ExactWeights[x * maxCount + k] = normalised;
                    t.Weights[x * maxCount + k] = (float)normalised;
                }
            }
            return t;
        }

        static Taps Area(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            int maxCount = (int)Math.Ceiling(scale) + 2;
            var t = new Taps { Start = new int[outSize], Count = new int[outSize], Weights = new float[outSize * maxCount], MaxCount = maxCount };
            for (int x = 0; x < outSize; x++)
            {
                // Output pixel x covers source interval [lo, hi); each source pixel weighs its overlap with it.
                double lo = x * scale, hi = Math.Min((x + 1) * scale, inSize);
                int first = (int)Math.Floor(lo), last = Math.Min((int)Math.Ceiling(hi), inSize); // exclusive
                int n = 0;
                for (int i = first; i < last && n < maxCount; i++)
                {
                    double overlap = Math.Min(i + 1, hi) - Math.Max(i, lo);
                    if (overlap <= 0) continue;
                    if (n == 0) t.Start[x] = i;
                    t.Weights[x * maxCount + n++] = (float)(overlap / (hi - lo));
                }
                t.Count[x] = n;
            }
            return t;
        }

        static Taps Nearest(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            var t = new Taps { Start = new int[outSize], Count = new int[outSize], Weights = new float[outSize], MaxCount = 1 };
            for (int x = 0; x < outSize; x++)
            {
                t.Start[x] = Math.Min((int)Math.Floor((x + 0.5) * scale), inSize - 1);
                t.Count[x] = 1;
                t.Weights[x] = 1f;
            }
            return t;
        }
    }
}
