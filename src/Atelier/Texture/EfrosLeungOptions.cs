using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>Settings of Efros-Leung synthesis (and of hole filling, which is its constrained form).</summary>
public sealed record EfrosLeungOptions
{
    /// <summary>Neighbourhood window w (odd); the Gaussian weighting uses sigma = w / 6.4.</summary>
    public int Window { get; init; } = 11;
    /// <summary>Candidates within (1 + Epsilon) of the best distance are chosen among at random.</summary>
    public double Epsilon { get; init; } = 0.1;
    /// <summary>A chosen match worse than this leaves the pixel for a later pass.</summary>
    public double MaxErrorThreshold { get; init; } = 0.3;
    /// <summary>When a pass fills nothing the threshold is multiplied by this.</summary>
    public double ThresholdGrowth { get; init; } = 1.1;
    /// <summary>
    /// Approximate mode: instead of every sample window, only the windows that continue the source of an already
    /// filled neighbour (Ashikhmin's coherence candidates) plus <see cref="RandomCandidates"/> random ones are compared.
    /// Much faster, not exact.
    /// </summary>
    public bool Approximate { get; init; }
    public int RandomCandidates { get; init; } = 4;
    /// <summary>
    /// The axes on which the output wraps around so that it tiles: neighbourhoods that cross the border continue on
    /// the opposite side (a torus), the same exact search otherwise. Synthesis only; hole filling keeps its borders.
    /// </summary>
    public TileAxes Tileable { get; init; }
    public SearchEngine Engine { get; init; } = SearchEngine.Fast;
    /// <summary>Threads for the fast search (0 = all cores).</summary>
    public int MaxThreads { get; init; }
}
