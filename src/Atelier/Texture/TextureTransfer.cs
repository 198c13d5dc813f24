using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture;

/// <summary>Settings of texture transfer.</summary>
public sealed record TransferOptions
{
    /// <summary>Iterations N; each one shrinks the block by a third.</summary>
    public int Iterations { get; init; } = 3;
    /// <summary>
    /// A fixed texture weight for every iteration; null uses the paper's schedule alpha_i = 0.8 (i-1)/(N-1) + 0.1.
    /// </summary>
    public double? Alpha { get; init; }
    /// <summary>First block size (0 = a quarter of the texture's smaller side, between 4 and 64).</summary>
    public int Block { get; init; }
    /// <summary>Overlap of the first iteration (0 = B/6); later iterations use B_i / 6.</summary>
    public int Overlap { get; init; }
    public double Tolerance { get; init; } = 0.1;
    /// <summary>Gaussian blur (sigma, pixels) of the luminance correspondence maps; 0 = plain luminance.</summary>
    public double CorrespondenceBlur { get; init; }
    /// <summary>
    /// Remap the target's luminance to the texture's mean and standard deviation first (Hertzmann et al.'s
    /// luminance remapping), so a dark or low-contrast texture can still follow a bright, contrasty target.
    /// </summary>
    public bool RemapLuminance { get; init; } = true;
    public SearchEngine Engine { get; init; } = SearchEngine.Fast;
    public int MaxThreads { get; init; }
}

/// <summary>
/// Texture transfer (Efros and Freeman 2001, section 3): the target image is re-rendered from blocks of the texture.
/// Each block is scored by alpha x (texture term: mean squared difference with the overlaps already laid, and from
/// the second iteration on with the whole block of the previous iteration's result) + (1 - alpha) x (correspondence
/// term: mean squared difference between the block's luminance and the target's). N iterations, the block shrinking
/// by a third each time and alpha following 0.8 (i-1)/(N-1) + 0.1.
/// </summary>
public static class TextureTransfer
{
    public static Image Transfer(Image texture, Image target, TransferOptions? options = null, int? seed = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default) =>
        Transfer(texture, target, options, TextureChecks.RandomFor(seed), progress, ct);

    /// <summary>The texture weight of iteration <paramref name="i"/> (1-based) of <paramref name="n"/>.</summary>
    public static double AlphaSchedule(int i, int n) => n <= 1 ? 0.1 : 0.8 * (i - 1) / (n - 1) + 0.1;

    /// <summary>The block sizes of the iterations: each a third smaller than the one before (never below 3).</summary>
    public static int[] BlockSchedule(int first, int iterations)
    {
        var b = new int[iterations];
        b[0] = first;
        for (int i = 1; i < iterations; i++) b[i] = Math.Max(3, b[i - 1] - b[i - 1] / 3);
        return b;
    }

    public static Image Transfer(Image texture, Image target, TransferOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var opt = options ?? new TransferOptions();
        int W = target.Width, H = target.Height;
        TextureChecks.OutputSize(W, H, "Target");
        if (opt.Iterations < 1 || opt.Iterations > 20) throw new AtelierUsageException($"{{Iterations}} {opt.Iterations}: must be between 1 and 20");
        if (opt.Alpha is double a) TextureChecks.Range(a, 0, 1, nameof(opt.Alpha));
        TextureChecks.Range(opt.CorrespondenceBlur, 0, 100, nameof(opt.CorrespondenceBlur));
        var (B0, O0) = Quilting.BlockAndOverlap(texture, opt.Block, opt.Overlap, "the texture");
        var blocks = BlockSchedule(B0, opt.Iterations);

        var src = PatchSource.FromImage(texture, 1);
        Luminance(texture, opt.CorrespondenceBlur).CopyTo(src.Plane(texture.Channels));
        var targetMap = Luminance(target, opt.CorrespondenceBlur);
        if (opt.RemapLuminance) Remap(targetMap, src.Plane(texture.Channels));
        var quilter = new Quilter(src, texture.Channels, opt.Engine, opt.MaxThreads);

        long totalSteps = 0;
        foreach (var b in blocks)
        {
            int o = b == B0 ? O0 : QuiltingOptions.DefaultOverlap(b);
            totalSteps += (long)Quilter.Layout(W, b, o).Count * Quilter.Layout(H, b, o).Count;
        }
        long done = 0;
        Image? previous = null;
        for (int i = 1; i <= opt.Iterations; i++)
        {
            int B = blocks[i - 1], O = i == 1 ? O0 : QuiltingOptions.DefaultOverlap(B);
            var (nx, cw) = Quilter.Layout(W, B, O);
            var (ny, chh) = Quilter.Layout(H, B, O);
            var canvas = new Image(cw, chh, texture.Channels);
            if (previous != null)
                for (int c = 0; c < texture.Channels; c++)
                    for (int y = 0; y < chh; y++)
                        for (int x = 0; x < cw; x++)
                            canvas[c, y, x] = previous[c, Math.Min(y, H - 1), Math.Min(x, W - 1)];
            float alpha = (float)(opt.Alpha ?? AlphaSchedule(i, opt.Iterations));
            var term = new Quilter.TransferTerm(targetMap, W, H, texture.Channels, alpha, WholeBlock: previous != null);
            quilter.Run(canvas, B, O, (float)opt.Tolerance, term, random, progress, ct,
                $"transfer {i}/{opt.Iterations} (block {B}, alpha {alpha:0.##})", done, totalSteps);
            done += (long)nx * ny;
            previous = Quilting.Crop(canvas, W, H);
        }
        return previous!;
    }

    /// <summary>Rec. 601 luminance of the colour channels (alpha ignored), optionally Gaussian-blurred.</summary>
    internal static float[] Luminance(Image image, double blurSigma)
    {
        int n = image.PlaneSize;
        var lum = new float[n];
        if (image.Channels == 1) image.Plane(0).CopyTo(lum);
        else
            for (int i = 0; i < n; i++)
                lum[i] = 0.299f * image.Data[i] + 0.587f * image.Data[n + i] + 0.114f * image.Data[2 * n + i];
        return blurSigma > 0 ? Blur(lum, image.Width, image.Height, blurSigma) : lum;
    }

    /// <summary>Linearly maps <paramref name="map"/> to the mean and standard deviation of <paramref name="reference"/>.</summary>
    internal static void Remap(float[] map, ReadOnlySpan<float> reference)
    {
        static (double Mean, double Std) Stats(ReadOnlySpan<float> v)
        {
            double m = 0, q = 0;
            foreach (var x in v) m += x;
            m /= v.Length;
            foreach (var x in v) q += (x - m) * (x - m);
            return (m, Math.Sqrt(q / v.Length));
        }
        var (mt, st) = Stats(map);
        var (mr, sr) = Stats(reference);
        double scale = st > 1e-6 ? sr / st : 0;
        for (int i = 0; i < map.Length; i++) map[i] = (float)((map[i] - mt) * scale + mr);
    }

    static float[] Blur(float[] p, int W, int H, double sigma)
    {
        int r = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var k = new float[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] = (float)(k[i] / sum);
        var tmp = new float[W * H];
        var dst = new float[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                float s = 0;
                for (int i = -r; i <= r; i++) s += k[i + r] * p[y * W + GaussianPyramid.Mirror(x + i, W)];
                tmp[y * W + x] = s;
            }
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                float s = 0;
                for (int i = -r; i <= r; i++) s += k[i + r] * tmp[GaussianPyramid.Mirror(y + i, H) * W + x];
                dst[y * W + x] = s;
            }
        return dst;
    }
}
