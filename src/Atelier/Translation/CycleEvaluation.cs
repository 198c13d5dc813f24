using Atelier.Imaging;
using Atelier.Quality;
using Atelier.Runtime;

namespace Atelier.Translation;

/// <summary>One picture's round trip: the picture, its translation into the other domain, and back.</summary>
public sealed record CycleTrip(Image Input, Image Translated, Image Back, double Psnr);

/// <summary>Held-out round trips in both directions, and their mean PSNRs.</summary>
public sealed record CycleScore(IReadOnlyList<CycleTrip> FromA, IReadOnlyList<CycleTrip> FromB)
{
    /// <summary>Mean PSNR of A -> B -> A against A.</summary>
    public double PsnrA => FromA.Count == 0 ? double.NaN : FromA.Average(t => t.Psnr);

    /// <summary>Mean PSNR of B -> A -> B against B.</summary>
    public double PsnrB => FromB.Count == 0 ? double.NaN : FromB.Average(t => t.Psnr);
}

/// <summary>
/// A CycleGAN's held-out figure (Zhu et al.'s cycle consistency): how well G_B(G_A(a)) gives back a and G_A(G_B(b))
/// gives back b on pictures the run never saw. High values say the translation keeps what the picture is; whether it
/// looks like the other domain is for the eye (the trips are kept for a grid).
/// </summary>
public static class CycleEvaluation
{
    static readonly PeakSignalToNoiseRatio Psnr = new();

    /// <summary>Every picture of <paramref name="a"/> and <paramref name="b"/>, resized to <paramref name="size"/> square, both ways round.</summary>
    public static CycleScore Score(Translator aToB, Translator bToA, IReadOnlyList<Image> a, IReadOnlyList<Image> b, int size,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        int done = 0, total = a.Count + b.Count;
        List<CycleTrip> Trips(IEnumerable<Image> pictures, Translator there, Translator back) =>
        [
            .. pictures.Select(p =>
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report(new ProgressReport(++done, total, "pictures"));
                var input = ImageResize.Resize(ImageOps.ToRgb(p), size, size);
                var translated = there.Translate(input);
                var returned = ImageOps.ToRgb(back.Translate(translated));
                return new CycleTrip(input, translated, returned, Psnr.Compare(returned, input));
            }),
        ];
        return new CycleScore(Trips(a, aToB, bToA), Trips(b, bToA, aToB));
    }
}
