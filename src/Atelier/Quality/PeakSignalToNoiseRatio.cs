using Atelier.Imaging;

namespace Atelier.Quality;

/// <summary>
/// PSNR in dB on [0,1] samples: 10 log10(1 / MSE) over every sample of the three channels (scikit-image's
/// peak_signal_noise_ratio with data_range 1). Identical pictures have no noise: +∞, reported as such rather than
/// as an arbitrary cap. 20 dB is a rough likeness, 30 dB and above close.
/// </summary>
public sealed class PeakSignalToNoiseRatio : ImagePairMetric
{
    public override string Key => "psnr";
    public override string Name => "PSNR (dB)";
    public override bool HigherIsBetter => true;

    /// <summary>PSNR of a mean squared error on [0,1] samples; +∞ for 0.</summary>
    public static double FromMse(double mse) => mse <= 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);

    protected override double Measure(Image image, Image reference)
    {
        double sum = 0;
        for (int i = 0; i < image.Data.Length; i++) { double d = (double)image.Data[i] - reference.Data[i]; sum += d * d; }
        return FromMse(sum / image.Data.Length);
    }
}
