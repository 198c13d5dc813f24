using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>Settings of image quilting (Efros and Freeman 2001).</summary>
public sealed record QuiltingOptions
{
    /// <summary>Block size B in pixels (0 = a quarter of the sample's smaller side, between 4 and 64).</summary>
    public int Block { get; init; }
    /// <summary>Overlap between neighbouring blocks (0 = B/6, at least 1).</summary>
    public int Overlap { get; init; }
    /// <summary>Blocks whose overlap error is within (1 + Tolerance) of the best are chosen among at random.</summary>
    public double Tolerance { get; init; } = 0.1;
    /// <summary>
    /// The axes on which the output tiles: the blocks go round the output as on a torus, the last block of a row
    /// (column) overlapping the first, matched to it and cut along a minimum-error boundary across the wrap too.
    /// A tileable side must hold at least two blocks.
    /// </summary>
    public TileAxes Tileable { get; init; }
    public SearchEngine Engine { get; init; } = SearchEngine.Fast;
    public int MaxThreads { get; init; }

    internal static int DefaultBlock(int sampleW, int sampleH) => Math.Clamp(Math.Min(sampleW, sampleH) / 4, 4, 64);
    internal static int DefaultOverlap(int block) => Math.Max(1, block / 6);
}

/// <summary>One boundary cut made while quilting: its cost and the cost of the cheapest straight cut it replaced.</summary>
public readonly record struct SeamReport(int BlockX, int BlockY, bool Vertical, double CutCost, double BestStraightCost);

/// <summary>A quilted image with the cuts that stitched it.</summary>
public sealed record QuiltingResult(Atelier.Imaging.Image Image, IReadOnlyList<SeamReport> Seams);
