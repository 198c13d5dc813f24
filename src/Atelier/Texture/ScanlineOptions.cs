using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>Settings of the scanline (Wei-Levoy) synthesis.</summary>
public sealed record ScanlineOptions
{
    /// <summary>The window w (odd) whose causal, L-shaped half is compared at each level.</summary>
    public int Window { get; init; } = 9;
    /// <summary>Pyramid levels (1 = single resolution). Each coarser level adds a full neighbourhood of the parent.</summary>
    public int Levels { get; init; } = 1;
    /// <summary>The full square window taken at the parent level (odd; 0 = max(3, w/2 rounded to odd)).</summary>
    public int ParentWindow { get; init; }
    /// <summary>
    /// Approximate mode: compare only the coherence candidates (the continuations of the causal neighbours' sources,
    /// as in Ashikhmin 2001) plus <see cref="RandomCandidates"/> random windows. Much faster, not exact.
    /// </summary>
    public bool Approximate { get; init; }
    public int RandomCandidates { get; init; } = 4;
    /// <summary>
    /// The axes on which the output is made to tile. The neighbourhoods always wrap around the output (Wei and
    /// Levoy's toroidal borders), but the causal half alone never sees the first columns from the last ones nor the
    /// first rows from the last rows; on a tileable axis the pixels next to the wrap also compare those (already
    /// made) pixels across it, at every pyramid level.
    /// </summary>
    public TileAxes Tileable { get; init; }
    public SearchEngine Engine { get; init; } = SearchEngine.Fast;
    public int MaxThreads { get; init; }

    internal int EffectiveParentWindow => ParentWindow > 0 ? ParentWindow : Math.Max(3, (Window / 2) | 1);
}
