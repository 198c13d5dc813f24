namespace Atelier.Texture;

/// <summary>
/// The minimum-error boundary cut of image quilting: the cheapest path through an overlap's error surface, found
/// by dynamic programming. A path moves one row (or column) at a time and at most one pixel sideways per step.
/// </summary>
public static class BoundaryCut
{
    /// <summary>
    /// The cheapest top-to-bottom path through <paramref name="error"/> (height rows x width columns, row-major):
    /// the column of the path in each row, and the path's total error.
    /// </summary>
    public static (int[] Path, double Cost) Vertical(ReadOnlySpan<double> error, int width, int height)
    {
        if (error.Length != width * height) throw new ArgumentException("error surface size mismatch");
        var cum = new double[width * height];
        for (int x = 0; x < width; x++) cum[x] = error[x];
        for (int y = 1; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double best = cum[(y - 1) * width + x];
                if (x > 0) best = Math.Min(best, cum[(y - 1) * width + x - 1]);
                if (x + 1 < width) best = Math.Min(best, cum[(y - 1) * width + x + 1]);
                cum[y * width + x] = error[y * width + x] + best;
            }
        var path = new int[height];
        int bx = 0;
        for (int x = 1; x < width; x++) if (cum[(height - 1) * width + x] < cum[(height - 1) * width + bx]) bx = x;
        path[height - 1] = bx;
        for (int y = height - 2; y >= 0; y--)
        {
            int prev = path[y + 1], pick = prev;
            for (int x = Math.Max(0, prev - 1); x <= Math.Min(width - 1, prev + 1); x++)
                if (cum[y * width + x] < cum[y * width + pick]) pick = x;
            path[y] = pick;
        }
        double cost = 0;
        for (int y = 0; y < height; y++) cost += error[y * width + path[y]];
        return (path, cost);
    }

    /// <summary>The cheapest left-to-right path (the row of the path in each column) and its total error.</summary>
    public static (int[] Path, double Cost) Horizontal(ReadOnlySpan<double> error, int width, int height)
    {
        var t = new double[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) t[x * height + y] = error[y * width + x];
        return Vertical(t, height, width);
    }

    /// <summary>The cheapest straight top-to-bottom cut (one column throughout) and its error.</summary>
    public static double BestStraightVertical(ReadOnlySpan<double> error, int width, int height)
    {
        double best = double.PositiveInfinity;
        for (int x = 0; x < width; x++)
        {
            double s = 0;
            for (int y = 0; y < height; y++) s += error[y * width + x];
            best = Math.Min(best, s);
        }
        return best;
    }

    public static double BestStraightHorizontal(ReadOnlySpan<double> error, int width, int height)
    {
        double best = double.PositiveInfinity;
        for (int y = 0; y < height; y++)
        {
            double s = 0;
            for (int x = 0; x < width; x++) s += error[y * width + x];
            best = Math.Min(best, s);
        }
        return best;
    }
}
