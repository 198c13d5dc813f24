using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture;

/// <summary>
/// Efros and Leung, "Texture Synthesis by Non-parametric Sampling" (ICCV 1999), exactly: the output grows from a
/// random 3x3 seed of the sample placed at its centre; see <see cref="NeighbourhoodGrower"/> for the loop.
/// Any output size, any channel count. With <see cref="EfrosLeungOptions.Approximate"/> the search is restricted to
/// coherence candidates (not exact).
/// </summary>
public static class EfrosLeung
{
    public static Image Synthesize(Image sample, int width, int height, EfrosLeungOptions? options = null, int? seed = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default) =>
        Synthesize(sample, width, height, options, TextureChecks.RandomFor(seed), progress, ct);

    public static Image Synthesize(Image sample, int width, int height, EfrosLeungOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var opt = options ?? new EfrosLeungOptions();
        Validate(sample, width, height, opt);
        int w = opt.Window, C = sample.Channels;
        var output = new Image(width, height, C);
        var filled = new byte[width * height];
        var source = PatchSource.FromImage(sample);
        var grid = new CandidateGrid(0, 0, sample.Width - w + 1, sample.Height - w + 1);
        var grower = new NeighbourhoodGrower(output, filled, source, grid, opt);

        // The seed: a random 3x3 patch of the sample at the centre of the output (clipped to a tiny output).
        int seedW = Math.Min(3, sample.Width), seedH = Math.Min(3, sample.Height);
        int sx0 = random.Next(sample.Width - seedW + 1), sy0 = random.Next(sample.Height - seedH + 1);
        int ox0 = width / 2 - seedW / 2, oy0 = height / 2 - seedH / 2;
        for (int dy = 0; dy < seedH; dy++)
            for (int dx = 0; dx < seedW; dx++)
            {
                int x = ox0 + dx, y = oy0 + dy;
                if ((uint)x >= (uint)width || (uint)y >= (uint)height) continue;
                for (int c = 0; c < C; c++) output[c, y, x] = sample[c, sy0 + dy, sx0 + dx];
                filled[y * width + x] = 1;
                grower.SetSource(x, y, sx0 + dx, sy0 + dy);
            }
        grower.Run(random, progress, ct, opt.Approximate ? "efros-leung (approximate)" : "efros-leung");
        return output;
    }

    internal static void Validate(Image sample, int width, int height, EfrosLeungOptions opt)
    {
        TextureChecks.OutputSize(width, height);
        TextureChecks.OddWindow(opt.Window);
        TextureChecks.SampleAtLeast(sample, opt.Window, $"{opt.Window}x{opt.Window} window", nameof(opt.Window));
        TextureChecks.Range(opt.Epsilon, 0, 10, nameof(opt.Epsilon));
        if (!(opt.MaxErrorThreshold > 0)) throw new AtelierUsageException($"{{MaxErrorThreshold}} {opt.MaxErrorThreshold}: must be positive");
        if (!(opt.ThresholdGrowth > 1)) throw new AtelierUsageException($"{{ThresholdGrowth}} {opt.ThresholdGrowth}: must be above 1");
    }
}
