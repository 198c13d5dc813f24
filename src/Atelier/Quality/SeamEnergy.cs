using Atelier.Imaging;

namespace Atelier.Quality;

/// <summary>
/// How visible a set of lines is in an image, against the image's own statistics: the mean squared difference
/// between the two pixel columns (or rows) either side of each line, beside the same energy across every other
/// pair of neighbouring columns (rows). <see cref="Ratio"/> is about 1 where the lines cannot be told from the
/// rest of the image and well above 1 at a seam; <see cref="Percentile"/> is the share of the other lines whose
/// energy is below the lines' mean (near 1 at a seam, about uniform otherwise).
/// </summary>
/// <param name="Energy">Mean squared difference across the lines, in [0,1] intensity units squared.</param>
/// <param name="Elsewhere">The same over every other neighbouring pair along the same axis.</param>
public sealed record SeamFigure(double Energy, double Elsewhere, double Ratio, double Percentile, int Lines);

/// <summary>Seam figures: across the wrap of a tile (does it repeat seamlessly?) and along tile borders.</summary>
public static class SeamEnergy
{
    /// <summary>
    /// The seam where the image meets its own copy when tiled: between the last and the first column
    /// (<paramref name="horizontal"/>) and between the last and the first row (<paramref name="vertical"/>).
    /// </summary>
    public static SeamFigure Wrap(Image image, bool horizontal = true, bool vertical = true)
    {
        if (!horizontal && !vertical) throw new AtelierUsageException("a wrap seam needs at least one axis");
        return Lines(image, horizontal ? [0] : [], vertical ? [0] : [], wrap: true);
    }

    /// <summary>
    /// The seam along interior lines: line x lies between columns x-1 and x, line y between rows y-1 and y
    /// (for example the borders of the tiles an image was made in). With <paramref name="wrap"/> the pairs across
    /// the image's edge (line 0) count as lines too, so a tile's own wrap is part of "elsewhere".
    /// </summary>
    public static SeamFigure Lines(Image image, IReadOnlyCollection<int> columns, IReadOnlyCollection<int> rows, bool wrap = false)
    {
        int w = image.Width, h = image.Height;
        if (columns.Count + rows.Count == 0) throw new AtelierUsageException("a seam figure needs at least one line");
        if (w < 3 || h < 3) throw new AtelierUsageException($"a seam figure needs an image of at least 3x3, got {w}x{h}");
        foreach (int x in columns)
            if (x < (wrap ? 0 : 1) || x >= w) throw new AtelierUsageException($"column line {x} lies outside 1..{w - 1}");
        foreach (int y in rows)
            if (y < (wrap ? 0 : 1) || y >= h) throw new AtelierUsageException($"row line {y} lies outside 1..{h - 1}");

        var colSet = new HashSet<int>(columns);
        var rowSet = new HashSet<int>(rows);
        var seam = new List<double>();
        var other = new List<double>();
        // Line x compares column x with column x-1 (x = 0: with the last column, only when wrapping).
        if (colSet.Count > 0)
            for (int x = wrap ? 0 : 1; x < w; x++)
                (colSet.Contains(x) ? seam : other).Add(PairEnergy(image, x == 0 ? w - 1 : x - 1, x));
        if (rowSet.Count > 0)
            for (int y = wrap ? 0 : 1; y < h; y++)
                (rowSet.Contains(y) ? seam : other).Add(PairEnergy(image, y == 0 ? h - 1 : y - 1, y, rows: true));

        double energy = seam.Average();
        double elsewhere = other.Count > 0 ? other.Average() : 0;
        double ratio = elsewhere > 0 ? energy / elsewhere : energy > 0 ? double.PositiveInfinity : 1;
        double percentile = other.Count > 0 ? other.Count(e => e < energy) / (double)other.Count : 0.5;
        return new SeamFigure(energy, elsewhere, ratio, percentile, seam.Count);
    }

    /// <summary>Mean squared difference between two columns (or rows, <paramref name="rows"/>) a and b.</summary>
    static double PairEnergy(Image image, int a, int b, bool rows = false)
    {
        int w = image.Width, length = rows ? w : image.Height, step = rows ? 1 : w;
        int offsetA = rows ? a * w : a, offsetB = rows ? b * w : b;
        double sum = 0;
        for (int c = 0; c < image.Channels; c++)
        {
            var plane = image.Plane(c);
            for (int i = 0; i < length; i++)
            {
                double d = plane[offsetA + i * step] - plane[offsetB + i * step];
                sum += d * d;
            }
        }
        return sum / (image.Channels * length);
    }
}
