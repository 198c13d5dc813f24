namespace Atelier.Texture;

/// <summary>How the exhaustive neighbourhood search runs. Both compute the same numbers and pick the same match.</summary>
public enum SearchEngine
{
    /// <summary>Vectorised (System.Numerics.Vector), spread over all cores, with loss-free pruning of partial sums.</summary>
    Fast,
    /// <summary>
    /// A straightforward single-threaded scalar loop over every candidate and every term, kept to verify the fast
    /// engine (same result bit for bit) and to measure its speed-up.
    /// </summary>
    Reference,
}
