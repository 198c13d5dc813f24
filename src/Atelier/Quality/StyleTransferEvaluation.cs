using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using Atelier.Style;

namespace Atelier.Quality;

/// <summary>One held-out picture with one style: a feed-forward network's result and Gatys optimisation's, with their distances.</summary>
public sealed record StyleTransferScore(string Name, string Style, Image Content, Image Network, Image? Gatys,
    double NetworkStyle, double NetworkContent, double? GatysStyle, double? GatysContent);

/// <summary>
/// The held-out figures of a feed-forward style network, fast style or AdaIN (issue: "style distance of each model's
/// output against what Gatys optimisation reaches on the same image and style; content distance likewise"): each
/// picture is centre-cropped to a square of <c>size</c>, stylised with each style by the network and, when
/// <c>gatysSteps</c> &gt; 0, by Gatys style transfer on the same network the distances use; both results are scored
/// with <see cref="StyleDistance"/> against the style image and <see cref="ContentDistance"/> against the picture.
/// </summary>
public static class StyleTransferEvaluation
{
    /// <param name="stylize">The network under test: (content, style) to the stylised content, the content's size.</param>
    public static IReadOnlyList<StyleTransferScore> Run(Func<Image, Image, Image> stylize, IReadOnlyList<(string Name, Image Image)> styles,
        IReadOnlyList<(string Name, Image Image)> pictures, FeatureNetwork network, int size = 256, int gatysSteps = 100, long seed = 1,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var scores = new List<StyleTransferScore>();
        int done = 0, total = pictures.Count * styles.Count;
        foreach (var picture in pictures)
        {
            var content = ImageOps.CenterCrop(ImageResize.ResizeShorterSide(ImageOps.ToRgb(picture.Image), size), size, size);
            foreach (var (styleName, style) in styles)
            {
                ct.ThrowIfCancellationRequested();
                var output = stylize(content, style);
                Image? gatys = null;
                if (gatysSteps > 0)
                    gatys = GatysStyleTransfer.Run(content, [new WeightedStyle(style)], network, new GatysStyleOptions { Iterations = gatysSteps, Seed = seed }, ct: ct).Image;
                scores.Add(new StyleTransferScore(picture.Name, styleName, content, output, gatys,
                    StyleDistance.Between(network, output, style), ContentDistance.Between(network, output, content),
                    gatys is null ? null : StyleDistance.Between(network, gatys, style), gatys is null ? null : ContentDistance.Between(network, gatys, content)));
                progress?.Report(new ProgressReport(++done, total, "held-out pictures"));
            }
        }
        return scores;
    }

    /// <summary>The mean of one figure over the scores that have it (NaN for none).</summary>
    public static double Mean(IEnumerable<StyleTransferScore> scores, Func<StyleTransferScore, double?> pick) =>
        scores.Select(pick).OfType<double>().DefaultIfEmpty(double.NaN).Average();
}
