using Atelier.Imaging;

namespace Atelier.Texture.Optimization;

/// <summary>
/// An image stored pixel-interleaved (y, x, channel) so a patch row is one contiguous run of floats, with the wrap
/// copied in: on a wrapping axis the first Patch-1 columns (rows) are repeated after the last, so a patch that
/// crosses the edge reads straight through.
/// </summary>
internal sealed class PatchCanvas
{
    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public int Patch { get; }
    public bool WrapX { get; }
    public bool WrapY { get; }
    /// <summary>Stored width and height (the wrap copy included).</summary>
    public int StoredWidth { get; }
    public int StoredHeight { get; }
    public float[] Data { get; }

    /// <summary>Patch origins per row and column: every pixel on a wrapping axis, Width-Patch+1 otherwise.</summary>
    public int PatchesX => WrapX ? Width : Width - Patch + 1;
    public int PatchesY => WrapY ? Height : Height - Patch + 1;

    public PatchCanvas(int width, int height, int channels, int patch, bool wrapX = false, bool wrapY = false)
    {
        Width = width; Height = height; Channels = channels; Patch = patch; WrapX = wrapX; WrapY = wrapY;
        StoredWidth = width + (wrapX ? patch - 1 : 0);
        StoredHeight = height + (wrapY ? patch - 1 : 0);
        // A spare vector's worth at the end: vector loads of a patch row never run past the array.
        Data = new float[checked((long)StoredWidth * StoredHeight * channels + System.Numerics.Vector<float>.Count)];
    }

    public static PatchCanvas From(Image image, int patch, bool wrapX = false, bool wrapY = false)
    {
        var canvas = new PatchCanvas(image.Width, image.Height, image.Channels, patch, wrapX, wrapY);
        canvas.Load(image);
        return canvas;
    }

    /// <summary>Copies <paramref name="image"/> in (same size and channels) and refreshes the wrap copy.</summary>
    public void Load(Image image)
    {
        int C = Channels, n = Width * Height;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int o = (y * StoredWidth + x) * C, i = y * Width + x;
                for (int c = 0; c < C; c++) Data[o + c] = image.Data[c * n + i];
            }
        RefreshWrap();
    }

    /// <summary>Offset of pixel (x, y) in <see cref="Data"/> (x, y within the stored size).</summary>
    public int Offset(int x, int y) => (y * StoredWidth + x) * Channels;

    public void RefreshWrap()
    {
        int C = Channels;
        if (WrapX)
            for (int y = 0; y < Height; y++)
                Array.Copy(Data, Offset(0, y), Data, Offset(Width, y), (Patch - 1) * C);
        if (WrapY)
            for (int y = 0; y < Patch - 1; y++)
                Array.Copy(Data, Offset(0, y), Data, Offset(0, Height + y), StoredWidth * C);
    }

    public Image ToImage()
    {
        var image = new Image(Width, Height, Channels);
        int C = Channels, n = Width * Height;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int o = Offset(x, y), i = y * Width + x;
                for (int c = 0; c < C; c++) image.Data[c * n + i] = Data[o + c];
            }
        return image;
    }
}
