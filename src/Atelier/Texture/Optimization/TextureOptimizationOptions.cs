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
    /// <summary>PatchMatch sweeps (propagation and random search) in each round.</summary>
    public int SearchSweeps { get; init; } = 3;
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
