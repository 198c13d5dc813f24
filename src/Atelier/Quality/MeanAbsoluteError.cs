using Atelier.Imaging;

namespace Atelier.Quality;

/// <summary>The mean absolute difference of the samples, in [0,1] units (Pix2Pix's L1): 0 for identical pictures, at most 1.</summary>
public sealed class MeanAbsoluteError : ImagePairMetric
{
    public override string Key => "l1";
    public override string Name => "L1";
    public override bool HigherIsBetter => false;

    protected override double Measure(Image image, Image reference)
    {
        double sum = 0;
        for (int i = 0; i < image.Data.Length; i++) sum += Math.Abs((double)image.Data[i] - reference.Data[i]);
        return sum / image.Data.Length;
    }
}
