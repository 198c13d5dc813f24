namespace Atelier.Texture;

/// <summary>Which square windows of an image touch a set of flagged pixels (a hole, or pixels outside a region).</summary>
internal static class MaskWindows
{
    /// <summary>
    /// For each <paramref name="size"/> x <paramref name="size"/> window origin ((w-size+1) x (h-size+1), row by row):
    /// true when any of its pixels is flagged. Counted with an integral image, so any window size costs the same.
    /// </summary>
    public static bool[] Touching(bool[] flag, int w, int h, int size)
    {
        int cols = w - size + 1, rows = h - size + 1;
        var integral = new int[(w + 1) * (h + 1)];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                integral[(y + 1) * (w + 1) + x + 1] = (flag[y * w + x] ? 1 : 0) + integral[y * (w + 1) + x + 1]
                    + integral[(y + 1) * (w + 1) + x] - integral[y * (w + 1) + x];
        var result = new bool[Math.Max(0, cols) * Math.Max(0, rows)];
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++)
                result[y * cols + x] = integral[(y + size) * (w + 1) + x + size] - integral[y * (w + 1) + x + size]
                    - integral[(y + size) * (w + 1) + x] + integral[y * (w + 1) + x] > 0;
        return result;
    }
}
