namespace Atelier.Imaging;

/// <summary>
/// An image in memory: float samples in [0,1], planar (channel, row, column), 1 (gray), 3 (RGB) or
/// 4 (RGBA, straight alpha) channels. Every method in Atelier takes and returns this type; tensors are
/// made from it at the network boundary (see ImageTensors).
/// </summary>
public sealed class Image
{
    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    /// <summary>Samples, index = (c * Height + y) * Width + x.</summary>
    public float[] Data { get; }

    public Image(int width, int height, int channels)
        : this(width, height, channels, new float[checked((long)width * height * channels)]) { }

    public Image(int width, int height, int channels, float[] data)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}x{height}");
        if (channels is not (1 or 3 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be 1, 3 or 4, got {channels}");
        if (data.LongLength != (long)width * height * channels)
            throw new ArgumentException($"data has {data.LongLength} samples, expected {(long)width * height * channels}", nameof(data));
        Width = width; Height = height; Channels = channels; Data = data;
    }

    public int PlaneSize => Width * Height;

    public float this[int c, int y, int x]
    {
        get => Data[(c * Height + y) * Width + x];
        set => Data[(c * Height + y) * Width + x] = value;
    }

    public Span<float> Plane(int c) => Data.AsSpan(c * PlaneSize, PlaneSize);

    public Image Clone() => new(Width, Height, Channels, (float[])Data.Clone());

    public override string ToString() => $"Image {Width}x{Height}x{Channels}";
}
