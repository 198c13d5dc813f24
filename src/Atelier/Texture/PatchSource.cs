using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>
/// The sample side of a neighbourhood search: equal-sized float planes (colour channels, and for some methods
/// derived planes such as parent-level values or luminance), stored one after another and padded at the end so a
/// vector load that runs past the last candidate of a row never leaves the array.
/// </summary>
internal sealed class PatchSource
{
    public float[] Data { get; }
    public int Width { get; }
    public int Height { get; }
    public int Planes { get; }
    public int PlaneStride => Width * Height;

    public PatchSource(int width, int height, int planes)
    {
        Width = width; Height = height; Planes = planes;
        Data = new float[checked((long)width * height * planes + System.Numerics.Vector<float>.Count + 1)];
    }

    /// <summary>The image's channels as the first planes, then <paramref name="extraPlanes"/> zeroed planes.</summary>
    public static PatchSource FromImage(Image image, int extraPlanes = 0)
    {
        var s = new PatchSource(image.Width, image.Height, image.Channels + extraPlanes);
        image.Data.AsSpan().CopyTo(s.Data);
        return s;
    }

    public Span<float> Plane(int p) => Data.AsSpan(p * PlaneStride, PlaneStride);

    public float this[int p, int y, int x] => Data[p * PlaneStride + y * Width + x];
}

/// <summary>
/// One term of a neighbourhood distance: the source value at candidate origin + <see cref="Offset"/> is compared
/// with <see cref="Target"/>, contributing Weight * (Target - value)^2.
/// </summary>
internal readonly record struct SearchDim(int Offset, float Target, float Weight)
{
    /// <summary>The offset of plane <paramref name="plane"/>, row <paramref name="dy"/>, column <paramref name="dx"/> from a candidate origin.</summary>
    public static int OffsetOf(PatchSource s, int plane, int dy, int dx) => plane * s.PlaneStride + dy * s.Width + dx;
}

/// <summary>
/// The candidate origins of a search: a rectangle of source positions (top-left corners of the neighbourhoods),
/// optionally with some positions excluded (hole filling excludes windows that touch the hole).
/// </summary>
internal sealed class CandidateGrid
{
    public int X0 { get; }
    public int Y0 { get; }
    public int Cols { get; }
    public int Rows { get; }
    public bool[]? Valid { get; }
    public int Count => Cols * Rows;
    public int ValidCount { get; }

    public CandidateGrid(int x0, int y0, int cols, int rows, bool[]? valid = null)
    {
        if (cols <= 0 || rows <= 0) throw new ArgumentException("empty candidate grid");
        if (valid != null && valid.Length != cols * rows) throw new ArgumentException("validity size mismatch");
        X0 = x0; Y0 = y0; Cols = cols; Rows = rows; Valid = valid;
        ValidCount = valid == null ? cols * rows : valid.Count(v => v);
    }

    /// <summary>The linear source index of candidate <paramref name="index"/>'s origin.</summary>
    public int SourceIndex(PatchSource s, int index) => (Y0 + index / Cols) * s.Width + X0 + index % Cols;

    public bool IsValid(int index) => Valid == null || Valid[index];

    /// <summary>Candidate index of source origin (x, y), or -1 when outside the grid or excluded.</summary>
    public int IndexOf(int x, int y)
    {
        int cx = x - X0, cy = y - Y0;
        if (cx < 0 || cy < 0 || cx >= Cols || cy >= Rows) return -1;
        int i = cy * Cols + cx;
        return IsValid(i) ? i : -1;
    }
}
