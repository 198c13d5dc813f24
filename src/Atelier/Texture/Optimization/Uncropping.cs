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
        Check(image.Width, image.Height, border, sides);
        int dx = sides.HasFlag(UncropSides.LeftRight) ? border : 0, dy = sides.HasFlag(UncropSides.TopBottom) ? border : 0;
        var canvas = ImageOps.Pad(image, dx, dy, dx, dy);
        int W = canvas.Width, H = canvas.Height;
        var hole = new bool[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                hole[y * W + x] = x < dx || y < dy || x >= dx + image.Width || y >= dy + image.Height;
        return TextureOptimization.Complete(canvas, hole, null, options, random, progress, ct);
    }

    /// <summary>
    /// Refuses a border of nothing, and a margin wider than the picture on a side that grows: beyond that, patches far
    /// from any known pixel are grown from other grown patches only.
    /// </summary>
    public static void Check(int width, int height, int border, UncropSides sides)
    {
        if (border < 1) throw new AtelierUsageException($"{{Border}} {border}: must be at least 1 pixel");
        if (sides is not (UncropSides.LeftRight or UncropSides.TopBottom or UncropSides.All))
            throw new AtelierUsageException($"{{Sides}} {sides}: expected all, left-right or top-bottom");
        if (sides.HasFlag(UncropSides.LeftRight) && border > width)
            throw new AtelierUsageException($"{{Border}} {border}: at most the picture's width ({width} px)");
        if (sides.HasFlag(UncropSides.TopBottom) && border > height)
            throw new AtelierUsageException($"{{Border}} {border}: at most the picture's height ({height} px)");
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
