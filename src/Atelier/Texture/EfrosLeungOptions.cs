using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>The order in which Efros-Leung grows pixels (<see cref="EfrosLeungOptions.Order"/>).</summary>
public enum GrowthOrder { MostKnown, FromTop, FromBottom, FromLeft, FromRight }

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
    /// <summary>
    /// Which pixels grow first: Efros-Leung's own order (those with the most known neighbours, so a hole closes in
    /// from its whole border), or from one side, as Resynthesizer offers: each pass takes only the pixels whose
    /// neighbour on that side is known, so structure is carried across the hole in that direction.
    /// </summary>
    public GrowthOrder Order { get; init; }
    /// <summary>
    /// Hole filling: after the hole has grown, this many passes re-match every hole pixel with its whole
    /// neighbourhood (now known on every side, not only where growth came from) and take the new match's centre,
    /// as Resynthesizer's refinement passes do. 0: none, the exact method.
    /// </summary>
    public int RefinementPasses { get; init; }
    /// <summary>Threads for the fast search (0 = all cores).</summary>
    public int MaxThreads { get; init; }
}
