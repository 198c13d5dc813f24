using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using Atelier.Style;

namespace Atelier.Quality;

/// <summary>One held-out picture: a fast-style network's result and Gatys optimisation's, with their distances.</summary>
public sealed record FastStyleScore(string Name, Image Content, Image Network, Image? Gatys,
    double NetworkStyle, double NetworkContent, double? GatysStyle, double? GatysContent);

/// <summary>
/// The held-out figures of a fast-style network (issue: "style distance of each model's output against what Gatys
/// optimisation reaches on the same image and style; content distance likewise"): each picture is centre-cropped
/// to a square of <paramref name="size"/>, stylised by the network and, when <paramref name="gatysSteps"/> &gt; 0, by
/// Gatys style transfer on the same network the distances use; both results are scored with <see cref="StyleDistance"/>
/// against the style image and <see cref="ContentDistance"/> against the picture.
/// </summary>
public static class FastStyleEvaluation
{
    public static IReadOnlyList<FastStyleScore> Run(TransformerNet model, Image style, IReadOnlyList<(string Name, Image Image)> pictures,
        FeatureNetwork network, int size = 256, int gatysSteps = 100, long seed = 1, IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var scores = new List<FastStyleScore>();
        for (int i = 0; i < pictures.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var content = ImageOps.CenterCrop(ImageResize.ResizeShorterSide(ImageOps.ToRgb(pictures[i].Image), size), size, size);
            var output = FastStyle.Stylize(model, [content], network.Device)[0];
            Image? gatys = null;
            if (gatysSteps > 0)
                gatys = GatysStyleTransfer.Run(content, [new WeightedStyle(style)], network, new GatysStyleOptions { Iterations = gatysSteps, Seed = seed }, ct: ct).Image;
            scores.Add(new FastStyleScore(pictures[i].Name, content, output, gatys,
                StyleDistance.Between(network, output, style), ContentDistance.Between(network, output, content),
                gatys is null ? null : StyleDistance.Between(network, gatys, style), gatys is null ? null : ContentDistance.Between(network, gatys, content)));
            progress?.Report(new ProgressReport(i + 1, pictures.Count, "held-out pictures"));
        }
        return scores;
    }
}
