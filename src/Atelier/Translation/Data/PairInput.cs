using Atelier.Imaging;

namespace Atelier.Translation.Data;

/// <summary>What <see cref="PairInputOptions.Source"/> derives from each photo as the network's input (A); the photo is the target (B).</summary>
public enum PairSource { Edges, Grayscale, Blur, Downsample }

/// <summary>Settings of the derivation (sizes in pixels of the output pair).</summary>
public sealed record PairInputOptions
{
    public PairSource Source { get; init; } = PairSource.Edges;
    public EdgeMethod Edges { get; init; } = EdgeMethod.Canny;
    /// <summary>Gaussian sigma: smoothing before Canny / XDoG's inner scale; the blur of <see cref="PairSource.Blur"/>.</summary>
    public double? Sigma { get; init; }
    /// <summary><see cref="PairSource.Downsample"/>: shrink by this factor, then enlarge back (bicubic).</summary>
    public int Factor { get; init; } = 4;

    public static PairSource ParseSource(string text) => text.Trim().ToLowerInvariant() switch
    {
        "edges" => PairSource.Edges,
        "grayscale" or "gray" => PairSource.Grayscale,
        "blur" => PairSource.Blur,
        "downsample" => PairSource.Downsample,
        _ => throw new AtelierUsageException($"{{Source}} {text}: expected edges, grayscale, blur or downsample"),
    };

    public static EdgeMethod ParseEdges(string text) => text.Trim().ToLowerInvariant() switch
    {
        "canny" => EdgeMethod.Canny,
        "xdog" => EdgeMethod.Xdog,
        _ => throw new AtelierUsageException($"{{Edges}} {text}: expected canny or xdog"),
    };
}

/// <summary>Derives a pix2pix input from a photo: its edges (Canny or XDoG), its gray version, a blurred or a downsampled copy.</summary>
public static class PairInput
{
    public static Image Derive(Image photo, PairInputOptions o)
    {
        var rgb = ImageOps.ToRgb(photo);
        switch (o.Source)
        {
            case PairSource.Edges:
                return o.Edges == EdgeMethod.Canny ? EdgeDetection.Canny(rgb, o.Sigma ?? 1.0) : EdgeDetection.Xdog(rgb, o.Sigma ?? 0.8);
            case PairSource.Grayscale:
                return ImageOps.ToRgb(ImageOps.ToGray(rgb));
            case PairSource.Blur:
            {
                double sigma = o.Sigma ?? 2.0;
                var result = new Image(rgb.Width, rgb.Height, 3);
                for (int c = 0; c < 3; c++)
                    GrayPlane.GaussianBlur(rgb.Plane(c).ToArray(), rgb.Width, rgb.Height, sigma).CopyTo(result.Plane(c));
                return result;
            }
            default:
            {
                if (o.Factor < 2) throw new AtelierUsageException($"{{Factor}} {o.Factor}: must be at least 2");
                int w = Math.Max(1, rgb.Width / o.Factor), h = Math.Max(1, rgb.Height / o.Factor);
                // Area averaging down (what a camera at lower resolution would record), bicubic back up.
                return ImageResize.Resize(ImageResize.Resize(rgb, w, h, ResizeFilter.Area), rgb.Width, rgb.Height, ResizeFilter.Bicubic);
            }
        }
    }
}
