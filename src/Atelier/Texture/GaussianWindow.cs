namespace Atelier.Texture;

/// <summary>
/// The positions of a w x w window around its centre with Efros-Leung's Gaussian weights
/// (sigma = w / 6.4), listed heaviest first (raster order among equals). Distances sum their terms in this order,
/// which lets the fast search abandon a candidate early: the big contributions come first.
/// </summary>
internal sealed class GaussianWindow
{
    public int Size { get; }
    public int Radius => Size / 2;
    public (int Dy, int Dx, float Weight)[] Positions { get; }

    public GaussianWindow(int size)
    {
        Size = size;
        double sigma = size / 6.4;
        int r = size / 2;
        var list = new List<(int Dy, int Dx, float Weight, int D2, int Raster)>();
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++)
            {
                int d2 = dy * dy + dx * dx;
                list.Add((dy, dx, (float)Math.Exp(-d2 / (2 * sigma * sigma)), d2, list.Count));
            }
        Positions = list.OrderBy(p => p.D2).ThenBy(p => p.Raster).Select(p => (p.Dy, p.Dx, p.Weight)).ToArray();
    }
}
