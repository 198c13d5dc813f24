namespace Atelier.Imaging;

/// <summary>How <see cref="ImageOps.Pad"/> fills the new border.</summary>
public enum PadMode
{
    /// <summary>A constant value per channel.</summary>
    Constant,
    /// <summary>Repeat the edge pixel.</summary>
    Edge,
    /// <summary>Mirror without repeating the edge pixel (like numpy/torch "reflect").</summary>
    Reflect,
}

/// <summary>
/// Geometry and colour operations on <see cref="Image"/>: crops, tiling, flips, rotations, padding, gray/RGB conversion.
/// Every method returns a new image and leaves its input untouched.
/// </summary>
public static class ImageOps
{
    // ITU-R BT.601 luma, as PIL's convert("L") and torchvision's rgb_to_grayscale use.
    const float LumaR = 0.299f, LumaG = 0.587f, LumaB = 0.114f;

    public static Image Crop(Image image, int x, int y, int width, int height)
    {
        if (width <= 0 || height <= 0 || x < 0 || y < 0 || x + width > image.Width || y + height > image.Height)
            throw new ArgumentOutOfRangeException(nameof(x),
                $"crop {width}x{height} at ({x},{y}) does not fit inside the {image.Width}x{image.Height} image");
        var result = new Image(width, height, image.Channels);
        for (int c = 0; c < image.Channels; c++)
            for (int row = 0; row < height; row++)
                Array.Copy(image.Data, (c * image.Height + y + row) * image.Width + x, result.Data, (c * height + row) * width, width);
        return result;
    }

    /// <summary>The centred width x height region (offsets rounded down, like torchvision's CenterCrop rounds).</summary>
    public static Image CenterCrop(Image image, int width, int height) =>
        Crop(image, (image.Width - width) / 2, (image.Height - height) / 2, width, height);

    /// <summary>A uniformly placed width x height region; the same <paramref name="random"/> seed gives the same crop.</summary>
    public static Image RandomCrop(Image image, int width, int height, Random random)
    {
        if (width > image.Width || height > image.Height)
            throw new ArgumentOutOfRangeException(nameof(width), $"crop {width}x{height} is larger than the {image.Width}x{image.Height} image");
        return Crop(image, random.Next(image.Width - width + 1), random.Next(image.Height - height + 1), width, height);
    }

    /// <summary>
    /// <paramref name="across"/> x <paramref name="down"/> copies of the image side by side: the preview of how a
    /// tileable texture repeats (a seam across the wrap shows as lines through the middle).
    /// </summary>
    public static Image Tile(Image image, int across, int down)
    {
        if (across < 1 || down < 1) throw new ArgumentOutOfRangeException(nameof(across), $"tiling needs at least 1x1 copies, got {across}x{down}");
        int w = image.Width, h = image.Height, ow = checked(w * across), oh = checked(h * down);
        var result = new Image(ow, oh, image.Channels);
        for (int c = 0; c < image.Channels; c++)
            for (int y = 0; y < oh; y++)
            {
                var src = image.Data.AsSpan((c * h + y % h) * w, w);
                for (int i = 0; i < across; i++) src.CopyTo(result.Data.AsSpan((c * oh + y) * ow + i * w, w));
            }
        return result;
    }

    public static Image FlipHorizontal(Image image)
    {
        var result = new Image(image.Width, image.Height, image.Channels);
        int w = image.Width;
        for (int r = 0; r < image.Channels * image.Height; r++)
        {
            var src = image.Data.AsSpan(r * w, w);
            var dst = result.Data.AsSpan(r * w, w);
            src.CopyTo(dst);
            dst.Reverse();
        }
        return result;
    }

    public static Image FlipVertical(Image image)
    {
        var result = new Image(image.Width, image.Height, image.Channels);
        int w = image.Width, h = image.Height;
        for (int c = 0; c < image.Channels; c++)
            for (int y = 0; y < h; y++)
                Array.Copy(image.Data, (c * h + y) * w, result.Data, (c * h + h - 1 - y) * w, w);
        return result;
    }

    public static Image Rotate180(Image image)
    {
        var result = new Image(image.Width, image.Height, image.Channels);
        for (int c = 0; c < image.Channels; c++)
        {
            image.Plane(c).CopyTo(result.Plane(c));
            result.Plane(c).Reverse();
        }
        return result;
    }

    /// <summary>Swap rows and columns (mirror along the main diagonal).</summary>
    public static Image Transpose(Image image) => Remap90(image, (x, y, w, h) => (y, x));

    /// <summary>Mirror along the anti-diagonal.</summary>
    public static Image Transverse(Image image) => Remap90(image, (x, y, w, h) => (w - 1 - y, h - 1 - x));

    public static Image Rotate90Clockwise(Image image) => Remap90(image, (x, y, w, h) => (y, h - 1 - x));

    public static Image Rotate90CounterClockwise(Image image) => Remap90(image, (x, y, w, h) => (w - 1 - y, x));

    /// <summary>
    /// Builds a result whose width and height are swapped: for output (x, y), <paramref name="source"/> gives the source
    /// (x, y) given the source width and height. The mapping is evaluated once per pixel position, not per channel.
    /// </summary>
    static Image Remap90(Image image, Func<int, int, int, int, (int X, int Y)> source)
    {
        int w = image.Width, h = image.Height, ow = h, oh = w, n = w * h;
        var index = new int[n];
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                var (sx, sy) = source(x, y, w, h);
                index[y * ow + x] = sy * w + sx;
            }
        var result = new Image(ow, oh, image.Channels);
        for (int c = 0; c < image.Channels; c++)
        {
            var src = image.Plane(c);
            var dst = result.Plane(c);
            for (int i = 0; i < n; i++) dst[i] = src[index[i]];
        }
        return result;
    }

    /// <summary>
    /// Adds a border. <paramref name="fill"/> (Constant mode) gives one value per channel or a single value for all;
    /// default 0 (black, and transparent for RGBA).
    /// </summary>
    public static Image Pad(Image image, int left, int top, int right, int bottom, PadMode mode = PadMode.Constant, float[]? fill = null)
    {
        if (left < 0 || top < 0 || right < 0 || bottom < 0)
            throw new ArgumentOutOfRangeException(nameof(left), $"padding must not be negative, got {left},{top},{right},{bottom}");
        int w = image.Width, h = image.Height, ow = w + left + right, oh = h + top + bottom;
        if (mode == PadMode.Reflect && (left >= w || right >= w || top >= h || bottom >= h))
            throw new ArgumentOutOfRangeException(nameof(left), $"reflect padding must be smaller than the {w}x{h} image");
        if (fill != null && fill.Length != 1 && fill.Length != image.Channels)
            throw new ArgumentException($"fill has {fill.Length} values; expected 1 or {image.Channels}", nameof(fill));
        var result = new Image(ow, oh, image.Channels);
        // Source column/row for every output column/row; -1 means "constant".
        var xs = new int[ow];
        var ys = new int[oh];
        for (int x = 0; x < ow; x++) xs[x] = SourceIndex(x - left, w, mode);
        for (int y = 0; y < oh; y++) ys[y] = SourceIndex(y - top, h, mode);
        for (int c = 0; c < image.Channels; c++)
        {
            float value = fill == null ? 0f : fill[fill.Length == 1 ? 0 : c];
            for (int y = 0; y < oh; y++)
            {
                var dst = result.Data.AsSpan((c * oh + y) * ow, ow);
                if (ys[y] < 0) { dst.Fill(value); continue; }
                var src = image.Data.AsSpan((c * h + ys[y]) * w, w);
                for (int x = 0; x < ow; x++) dst[x] = xs[x] < 0 ? value : src[xs[x]];
            }
        }
        return result;
    }

    static int SourceIndex(int i, int n, PadMode mode)
    {
        if (i >= 0 && i < n) return i;
        return mode switch
        {
            PadMode.Edge => Math.Clamp(i, 0, n - 1),
            PadMode.Reflect => i < 0 ? -i : 2 * (n - 1) - i,
            _ => -1,
        };
    }

    /// <summary>One channel: luma for RGB; RGBA is composited over <paramref name="background"/> (white by default) first.</summary>
    public static Image ToGray(Image image, (float R, float G, float B)? background = null)
    {
        if (image.Channels == 1) return image.Clone();
        var rgb = image.Channels == 4 ? CompositeAlpha(image, background) : image;
        var result = new Image(image.Width, image.Height, 1);
        var r = rgb.Plane(0); var g = rgb.Plane(1); var b = rgb.Plane(2);
        var dst = result.Plane(0);
        for (int i = 0; i < dst.Length; i++) dst[i] = LumaR * r[i] + LumaG * g[i] + LumaB * b[i];
        return result;
    }

    /// <summary>Three channels: gray is replicated; RGBA is composited over <paramref name="background"/> (white by default).</summary>
    public static Image ToRgb(Image image, (float R, float G, float B)? background = null)
    {
        switch (image.Channels)
        {
            case 3: return image.Clone();
            case 4: return CompositeAlpha(image, background);
            default:
                var result = new Image(image.Width, image.Height, 3);
                for (int c = 0; c < 3; c++) image.Plane(0).CopyTo(result.Plane(c));
                return result;
        }
    }

    /// <summary>RGBA over a solid background -> RGB (straight alpha: out = colour * a + background * (1 - a)).</summary>
    public static Image CompositeAlpha(Image image, (float R, float G, float B)? background = null)
    {
        if (image.Channels != 4) throw new ArgumentException($"expected an RGBA image, got {image.Channels} channels", nameof(image));
        var bg = background ?? (1f, 1f, 1f);
        var result = new Image(image.Width, image.Height, 3);
        var a = image.Plane(3);
        for (int c = 0; c < 3; c++)
        {
            float back = c == 0 ? bg.R : c == 1 ? bg.G : bg.B;
            var src = image.Plane(c);
            var dst = result.Plane(c);
            for (int i = 0; i < dst.Length; i++) dst[i] = src[i] * a[i] + back * (1f - a[i]);
        }
        return result;
    }

    /// <summary>RGBA -> RGB keeping the stored colours, whatever their transparency.</summary>
    public static Image DropAlpha(Image image)
    {
        if (image.Channels != 4) throw new ArgumentException($"expected an RGBA image, got {image.Channels} channels", nameof(image));
        var data = new float[3 * image.PlaneSize];
        Array.Copy(image.Data, data, data.Length);
        return new Image(image.Width, image.Height, 3, data);
    }

    /// <summary>Clamps every sample into [0,1] in place (NaN becomes 0) and returns the same image.</summary>
    public static Image ClampInPlace(Image image)
    {
        var d = image.Data;
        for (int i = 0; i < d.Length; i++)
        {
            float v = d[i];
            d[i] = v > 0f ? (v < 1f ? v : 1f) : 0f;
        }
        return image;
    }
}
