using Atelier.Imaging;

namespace Atelier.Texture.Optimization;

/// <summary>
/// Settings of texture optimisation (<see cref="TextureOptimization"/>). The defaults follow Kaspar et al. 2015
/// ("Self Tuning Texture Optimization"): a 7x7 patch, robust voting (r = 0.8), and an occurrence penalty against
/// reusing the same part of the sample.
/// </summary>
public sealed record TextureOptimizationOptions
{
    /// <summary>Patch side in pixels, at every level of the pyramid.</summary>
    public int Patch { get; init; } = 7;
    /// <summary>Pyramid levels (0: as many as keep the coarsest image at least four patches across).</summary>
    public int Levels { get; init; }
    /// <summary>Search-and-vote rounds per level (the finest level gets half as many: it starts close).</summary>
    public int Iterations { get; init; } = 16;
    /// <summary>
    /// PatchMatch sweeps (propagation and random search) in each round; 0: 2 for synthesis, 3 for completion. At
    /// 512² from the three benchmark samples, 2 sweeps were a quarter faster than 3 and as coherent; in held-out
    /// photo holes 3 scored the better feature distance (0.102 against 0.104).
    /// </summary>
    public int SearchSweeps { get; init; }
    internal int SweepsFor(bool completion) => SearchSweeps > 0 ? SearchSweeps : completion ? 3 : 2;
    /// <summary>
    /// Weight of Kaspar et al.'s occurrence penalty, in the units of the patch distance (mean squared difference
    /// per sample): a source patch used twice as often as an even spread would give costs this much more. Off by
    /// default: recomputed once per round, it made matches flee popular patches all at once and wash the texture
    /// out (docs/texture.md has the figures); robust voting and enough rounds kept repetition lower.
    /// </summary>
    public double Occurrence { get; init; }
    /// <summary>
    /// The voting norm r: each patch votes with weight distance^(r-2), so outliers count less (2: plain mean).
    /// Kaspar et al. use 0.8; 0.3 gave sharper, more coherent textures here.
    /// </summary>
    public double Robustness { get; init; } = 0.3;
    /// <summary>
    /// Completion only: each patch votes with the mean over its pixels of gamma^-d, d the pixel's distance in steps
    /// from the nearest known pixel (Wexler et al. 2007, who use 1.3; 1: off). On 40 held-out photo holes, 2 gave
    /// the ResNet-18 feature distance 0.102 against 0.111 unweighted and 0.105 at 1.3 (docs/texture.md).
    /// </summary>
    public double BorderConfidence { get; init; } = 2;
    /// <summary>The axes on which the output wraps around, so copies of it tile without a seam.</summary>
    public TileAxes Tileable { get; init; }
    internal bool WrapX => Tileable.HasFlag(TileAxes.Horizontal);
    internal bool WrapY => Tileable.HasFlag(TileAxes.Vertical);
    /// <summary>Threads for search and voting (0: every processor). The result does not depend on it.</summary>
    public int MaxThreads { get; init; }

    internal int AutoLevels(int width, int height)
    {
        if (Levels > 0) return Levels;
        int levels = 1, side = Math.Min(width, height);
        while (levels < 8 && (side >> levels) >= 4 * Patch) levels++;
        return levels;
    }
}
