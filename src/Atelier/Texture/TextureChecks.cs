using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>Input checks shared by the texture methods: one clear message naming the option at fault.</summary>
internal static class TextureChecks
{
    /// <summary>Largest output accepted (64 megapixels): beyond that a run would take days and gigabytes.</summary>
    public const long MaxOutputPixels = 64L * 1024 * 1024;

    public static void OutputSize(int width, int height, string option = "--size")
    {
        if (width <= 0 || height <= 0)
            throw new AtelierUsageException($"{option} {width}x{height}: width and height must be positive");
        if ((long)width * height > MaxOutputPixels)
            throw new AtelierUsageException($"{option} {width}x{height}: {(long)width * height} pixels is more than the limit of {MaxOutputPixels} (64 MP)");
    }

    public static void OddWindow(int window, string option = "--window")
    {
        if (window < 3) throw new AtelierUsageException($"{option} {window}: the window must be at least 3");
        if (window % 2 == 0) throw new AtelierUsageException($"{option} {window}: the window must be odd (it is centred on a pixel)");
    }

    public static void SampleAtLeast(Image sample, int size, string what, string option, string sampleName = "the sample")
    {
        if (sample.Width < size || sample.Height < size)
            throw new AtelierUsageException($"{option} {size}: {sampleName} ({sample.Width}x{sample.Height}) is smaller than the {what}");
    }

    public static void Range(double value, double min, double max, string option)
    {
        if (!(value >= min && value <= max)) throw new AtelierUsageException($"{option} {value}: must be between {min} and {max}");
    }

    public static Random RandomFor(int? seed) => seed is int s ? new Random(s) : new Random();
}
