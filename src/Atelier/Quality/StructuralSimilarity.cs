using Atelier.Imaging;

namespace Atelier.Quality;

/// <summary>
/// SSIM as Wang et al. (2004) define it: local means, variances and covariance under an 11x11 Gaussian window
/// (sigma 1.5), K1 0.01 and K2 0.03 on [0,1] samples, population (not sample) covariances, the map averaged over the
/// positions where the whole window fits; computed per RGB channel and averaged (gray pictures: their one channel).
/// This is scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
/// data_range=1, channel_axis=-1), checked against it to 1e-4. 1 for identical pictures; near 0 for unrelated ones
/// (it can go below 0). Pictures must be at least 11x11.
/// </summary>
public sealed class StructuralSimilarity : ImagePairMetric
{
    const double Sigma = 1.5, K1 = 0.01, K2 = 0.03;
    /// <summary>The window's radius: scipy's int(truncate * sigma + 0.5) with scikit-image's truncate 3.5.</summary>
    public const int Radius = 5;
    public const int WindowSize = 2 * Radius + 1;

    static readonly double[] Weights = MakeWeights();

    public override string Key => "ssim";
    public override string Name => "SSIM";
    public override bool HigherIsBetter => true;

    protected override double Measure(Image image, Image reference)
    {
        int w = image.Width, h = image.Height;
        if (w < WindowSize || h < WindowSize)
            throw new AtelierException($"SSIM needs pictures of at least {WindowSize}x{WindowSize} (its Gaussian window), got {w}x{h}");
        // A gray picture became three equal channels (ImagePairMetric); their mean is the one channel's SSIM.
        double sum = 0;
        for (int c = 0; c < 3; c++) sum += Channel(image.Plane(c), reference.Plane(c), w, h);
        return sum / 3;
    }

    static double Channel(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int w, int h)
    {
        const double c1 = K1 * K1, c2 = K2 * K2; // (K * data range)^2 with data range 1
        // The five windowed moments, filtered along rows first ("valid" columns only), then along columns.
        int ow = w - 2 * Radius, oh = h - 2 * Radius;
        var rows = new double[5][];
        for (int k = 0; k < 5; k++) rows[k] = new double[h * ow];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < ow; j++)
            {
                double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
                for (int t = 0; t < WindowSize; t++)
                {
                    double g = Weights[t], a = x[i * w + j + t], b = y[i * w + j + t];
                    mx += g * a; my += g * b; mxx += g * a * a; myy += g * b * b; mxy += g * a * b;
                }
                int o = i * ow + j;
                rows[0][o] = mx; rows[1][o] = my; rows[2][o] = mxx; rows[3][o] = myy; rows[4][o] = mxy;
            }
        double total = 0;
        var m = new double[5];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                for (int k = 0; k < 5; k++)
                {
                    double s = 0;
                    for (int t = 0; t < WindowSize; t++) s += Weights[t] * rows[k][(i + t) * ow + j];
                    m[k] = s;
                }
                double ux = m[0], uy = m[1];
                double vx = m[2] - ux * ux, vy = m[3] - uy * uy, vxy = m[4] - ux * uy;
                total += (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
            }
        return total / ((double)ow * oh);
    }

    /// <summary>The normalised 1-D Gaussian, as scipy.ndimage.gaussian_filter1d makes it.</summary>
    static double[] MakeWeights()
    {
        var g = new double[WindowSize];
        double sum = 0;
        for (int t = 0; t < WindowSize; t++) { g[t] = Math.Exp(-0.5 * (t - Radius) * (t - Radius) / (Sigma * Sigma)); sum += g[t]; }
        for (int t = 0; t < WindowSize; t++) g[t] /= sum;
        return g;
    }
}
