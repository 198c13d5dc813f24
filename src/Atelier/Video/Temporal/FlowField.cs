namespace Atelier.Video.Temporal;

/// <summary>
/// A dense motion field between two frames: for each pixel (x, y) of the frame it belongs to, the displacement
/// (Dx, Dy) to where that pixel's content lies in the other frame. Row-major, one value per pixel.
/// Managed arrays, so no native object outlives the flow estimator's call.
/// </summary>
public sealed class FlowField
{
    public int Width { get; }
    public int Height { get; }
    public float[] Dx { get; }
    public float[] Dy { get; }

    public FlowField(int width, int height, float[]? dx = null, float[]? dy = null)
    {
        Width = width; Height = height;
        Dx = dx ?? new float[width * height];
        Dy = dy ?? new float[width * height];
        if (Dx.Length != width * height || Dy.Length != width * height)
            throw new ArgumentException($"a {width}x{height} flow needs {width * height} values per component");
    }

    /// <summary>The same displacement everywhere (tests, and a camera pan).</summary>
    public static FlowField Uniform(int width, int height, float dx, float dy)
    {
        var f = new FlowField(width, height);
        Array.Fill(f.Dx, dx);
        Array.Fill(f.Dy, dy);
        return f;
    }

    /// <summary>Bilinear sample of both components at a fractional position, clamped to the border.</summary>
    public (float Dx, float Dy) Sample(float x, float y)
    {
        var (i00, i10, i01, i11, fx, fy) = Bilinear.Taps(x, y, Width, Height);
        return (Bilinear.Mix(Dx, i00, i10, i01, i11, fx, fy), Bilinear.Mix(Dy, i00, i10, i01, i11, fx, fy));
    }
}

/// <summary>Bilinear interpolation on a row-major plane, clamped to the border: shared by the warp and the consistency check.</summary>
static class Bilinear
{
    public static (int I00, int I10, int I01, int I11, float Fx, float Fy) Taps(float x, float y, int width, int height)
    {
        x = Math.Clamp(x, 0, width - 1);
        y = Math.Clamp(y, 0, height - 1);
        int x0 = (int)x, y0 = (int)y;
        int x1 = Math.Min(x0 + 1, width - 1), y1 = Math.Min(y0 + 1, height - 1);
        return (y0 * width + x0, y0 * width + x1, y1 * width + x0, y1 * width + x1, x - x0, y - y0);
    }

    public static float Mix(ReadOnlySpan<float> plane, int i00, int i10, int i01, int i11, float fx, float fy)
    {
        float top = plane[i00] + fx * (plane[i10] - plane[i00]);
        float bottom = plane[i01] + fx * (plane[i11] - plane[i01]);
        return top + fy * (bottom - top);
    }

    /// <summary>Whether a position lies inside the frame (content warped from outside it is unknown).</summary>
    public static bool Inside(float x, float y, int width, int height) => x >= 0 && y >= 0 && x <= width - 1 && y <= height - 1;
}
