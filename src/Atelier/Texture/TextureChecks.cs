using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>
/// Input checks shared by the texture methods: one clear message naming the option at fault, by library name
/// (<c>parameter</c>: an options property such as Window, or a method's parameter such as Size for width x height).
/// </summary>
internal static class TextureChecks
{
    /// <summary>Largest output accepted (64 megapixels): beyond that a run would take days and gigabytes.</summary>
    public const long MaxOutputPixels = 64L * 1024 * 1024;

    public static void OutputSize(int width, int height, string parameter = "Size")
    {
        if (width <= 0 || height <= 0)
            throw new AtelierUsageException($"{{{parameter}}} {width}x{height}: width and height must be positive");
        if ((long)width * height > MaxOutputPixels)
            throw new AtelierUsageException($"{{{parameter}}} {width}x{height}: {(long)width * height} pixels is more than the limit of {MaxOutputPixels} (64 MP)");
    }

    public static void OddWindow(int window, string parameter = "Window")
    {
        if (window < 3) throw new AtelierUsageException($"{{{parameter}}} {window}: the window must be at least 3");
        if (window % 2 == 0) throw new AtelierUsageException($"{{{parameter}}} {window}: the window must be odd (it is centred on a pixel)");
    }

    public static void SampleAtLeast(Image sample, int size, string what, string parameter, string sampleName = "the sample")
    {
        if (sample.Width < size || sample.Height < size)
            throw new AtelierUsageException($"{{{parameter}}} {size}: {sampleName} ({sample.Width}x{sample.Height}) is smaller than the {what}");
    }

    public static void Range(double value, double min, double max, string parameter)
    {
        if (!(value >= min && value <= max)) throw new AtelierUsageException($"{{{parameter}}} {value}: must be between {min} and {max}");
    }

    public static Random RandomFor(int? seed) => seed is int s ? new Random(s) : new Random();
}
