using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture.Optimization;

/// <summary>Which sides of a picture <see cref="Uncropping"/> extends.</summary>
[Flags]
public enum UncropSides
{
    LeftRight = 1,
    TopBottom = 2,
    All = LeftRight | TopBottom,
}

/// <summary>
/// Extends a picture beyond its borders (Resynthesizer's "uncrop"): the picture is set in a larger canvas whose new
/// margin is a hole, completed from the picture's own patches by texture optimisation (Wexler et al. 2007). The
/// picture itself comes back bit for bit in the middle.
/// </summary>
public static class Uncropping
{
    public static Image Extend(Image image, int border, UncropSides sides, TextureOptimizationOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        if (border < 1) throw new AtelierUsageException($"{{Border}} {border}: must be at least 1 pixel");
        if (sides is not (UncropSides.LeftRight or UncropSides.TopBottom or UncropSides.All))
            throw new AtelierUsageException($"{{Sides}} {sides}: expected all, left-right or top-bottom");
        int dx = sides.HasFlag(UncropSides.LeftRight) ? border : 0, dy = sides.HasFlag(UncropSides.TopBottom) ? border : 0;
        // The margin may be at most as wide as the picture on each side: beyond that, patches far from any known pixel
        // are grown from other grown patches only.
        if (dx > image.Width || dy > image.Height)
            throw new AtelierUsageException($"{{Border}} {border}: at most the picture's {(dx > image.Width ? "width" : "height")} ({(dx > image.Width ? image.Width : image.Height)} px)");
        int W = image.Width + 2 * dx, H = image.Height + 2 * dy;
        var canvas = new Image(W, H, image.Channels);
        var hole = new bool[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int sx = x - dx, sy = y - dy;
                bool inside = sx >= 0 && sy >= 0 && sx < image.Width && sy < image.Height;
                hole[y * W + x] = !inside;
                if (inside)
                    for (int c = 0; c < image.Channels; c++) canvas[c, y, x] = image[c, sy, sx];
            }
        return TextureOptimization.Complete(canvas, hole, null, options, random, progress, ct);
    }

    /// <summary>"all", "left-right" or "top-bottom".</summary>
    public static UncropSides ParseSides(string text) => text.Trim().ToLowerInvariant() switch
    {
        "all" => UncropSides.All,
        "left-right" => UncropSides.LeftRight,
        "top-bottom" => UncropSides.TopBottom,
        _ => throw new AtelierUsageException($"{{Sides}} {text}: expected all, left-right or top-bottom"),
    };
}
