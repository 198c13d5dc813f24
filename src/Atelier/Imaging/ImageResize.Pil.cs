namespace Atelier.Imaging;

public static partial class ImageResize
{
    // PIL's fixed-point precision for 8-bit resampling (Resample.c: PRECISION_BITS = 32 - 8 - 2).
    const int PilPrecisionBits = 32 - 8 - 2;

    /// <summary>
    /// Bit-exact reproduction of PIL's <c>Image.resize(size, BILINEAR | BICUBIC | BOX)</c> on an 8-bit image: the same
    /// taps, weights rounded to 22-bit fixed point, and results rounded and clipped to 8 bits after each pass
    /// (horizontal, then vertical). Use it to reproduce reference pipelines that prepared their inputs with PIL (the
    /// 128 px parity inputs in ../shared/parity were); <see cref="Resize"/> is the better resampler otherwise.
    /// Input samples are first rounded to 8-bit levels; the result holds 8-bit levels (k/255).
    /// <see cref="ResizeFilter.Area"/> means PIL's BOX filter here (equal to an area average for whole-number factors).
    /// </summary>
    public static Image ResizeLikePil(Image image, int width, int height, ResizeFilter filter = ResizeFilter.Bicubic)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"target size must be positive, got {width}x{height}");
        if (filter == ResizeFilter.Nearest) throw new ArgumentException("ResizeLikePil supports Bilinear, Bicubic and Area (PIL BOX)", nameof(filter));
        int c = image.Channels, inW = image.Width, inH = image.Height;
        var bytes = new byte[image.Data.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = ImageIO.ToByte(image.Data[i]);

        if (width != inW)
        {
            var k = PilTaps(inW, width, filter);
            var wide = new byte[c * inH * width];
            ForRows(c * inH, (long)c * inH * width * k.MaxCount, row =>
            {
                for (int x = 0; x < width; x++)
                {
                    int acc = 1 << (PilPrecisionBits - 1), start = k.Start[x], off = x * k.MaxCount, src = row * inW + start;
                    for (int j = 0; j < k.Count[x]; j++) acc += bytes[src + j] * k.Fixed[off + j];
                    wide[row * width + x] = Clip8(acc);
                }
            });
            bytes = wide;
        }
        if (height != inH)
        {
            var k = PilTaps(inH, height, filter);
            var tall = new byte[c * height * width];
            ForRows(c * height, (long)c * height * width * k.MaxCount, row =>
            {
                int ch = row / height, y = row % height, start = k.Start[y], off = y * k.MaxCount;
                for (int x = 0; x < width; x++)
                {
                    int acc = 1 << (PilPrecisionBits - 1);
                    for (int j = 0; j < k.Count[y]; j++) acc += bytes[(ch * inH + start + j) * width + x] * k.Fixed[off + j];
                    tall[row * width + x] = Clip8(acc);
                }
            });
            bytes = tall;
        }
        var result = new Image(width, height, c);
        for (int i = 0; i < bytes.Length; i++) result.Data[i] = bytes[i] / 255f;
        return result;
    }

    static byte Clip8(int acc) => acc >= 255 << PilPrecisionBits ? (byte)255 : acc <= 0 ? (byte)0 : (byte)(acc >> PilPrecisionBits);

    sealed record PilKernel(int[] Start, int[] Count, int[] Fixed, int MaxCount);

    static PilKernel PilTaps(int inSize, int outSize, ResizeFilter filter)
    {
        var t = filter switch
        {
            ResizeFilter.Bilinear => Taps.Kernel(inSize, outSize, 1.0, Taps.Triangle),
            ResizeFilter.Area => Taps.Kernel(inSize, outSize, 0.5, x => x > -0.5 && x <= 0.5 ? 1.0 : 0.0), // PIL's box
            _ => Taps.Kernel(inSize, outSize, 2.0, Taps.Cubic),
        };
        var exact = t.ExactWeights!;
        var fixedPoint = new int[exact.Length];
        // Round half away from zero, as PIL's normalize_coeffs_8bpc does.
        for (int i = 0; i < exact.Length; i++)
            fixedPoint[i] = exact[i] < 0 ? (int)(-0.5 + exact[i] * (1 << PilPrecisionBits)) : (int)(0.5 + exact[i] * (1 << PilPrecisionBits));
        return new PilKernel(t.Start, t.Count, fixedPoint, t.MaxCount);
    }
}
