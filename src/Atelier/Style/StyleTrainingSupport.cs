using System.Globalization;
using Atelier.Imaging;
using Atelier.IO;
using Atelier.Training;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// What the feed-forward style trainers share: the images of a folder, loading one as a square training crop, the
/// skipping of flat crops and repeated warnings. (The run itself is Atelier.Training's TrainingLoop.)
/// </summary>
public static class StyleTrainingSupport
{
    /// <summary>The image files of a folder in name order; an AtelierException when there are none.</summary>
    public static List<string> ImagesIn(string folder, string what)
    {
        if (!Directory.Exists(folder)) throw new AtelierException($"{folder}: no such folder ({what})");
        var files = ImageIO.ImagesIn(folder, recursive: true);
        if (files.Count == 0) throw new AtelierException($"{folder}: no images ({what})");
        return files;
    }

    /// <summary>
    /// Loads an RGB image, resizes its shorter side to <paramref name="resize"/>, and crops <paramref name="crop"/>²:
    /// centred (fast style, as torchvision's Resize + CenterCrop) or at a random place (AdaIN). Null when unreadable.
    /// </summary>
    public static Image? LoadCrop(string path, int resize, int crop, TrainingRandom? random, Action<string>? warn)
    {
        Image image;
        try { image = ImageIO.Load(path); }
        catch (AtelierException e) { warn?.Invoke($"{e.Message} (skipped)"); return null; }
        image = ImageResize.ResizeShorterSide(image, resize);
        Image result;
        if (random is null) result = ImageOps.CenterCrop(image, crop, crop);
        else
        {
            int x = random.Next(image.Width - crop + 1), y = random.Next(image.Height - crop + 1);
            result = ImageOps.Crop(image, x, y, crop, crop);
        }
        if (IsFlat(result))
        {
            warn?.Invoke($"{path}: the crop is a flat colour (skipped: instance normalisation would divide by its zero variance)");
            return null;
        }
        return result;
    }

    /// <summary>
    /// True when every channel of the image varies by less than half a grey level (standard deviation on 0..1).
    /// Why: through a network of instance normalisations (TransformerNet has 15) a flat input has zero variance at
    /// every layer, and each multiplies the gradient by 1/sqrt(eps) = 316: 316^15 overflows float32, and the update
    /// must be skipped (a dark wallpaper's centre did that about once in 30 fast-style steps).
    /// </summary>
    public static bool IsFlat(Image image)
    {
        const double threshold = 0.5 / 255;
        for (int c = 0; c < image.Channels; c++)
        {
            var plane = image.Plane(c);
            double sum = 0, sumSq = 0;
            foreach (var v in plane) { sum += v; sumSq += (double)v * v; }
            double mean = sum / plane.Length, variance = Math.Max(0, sumSq / plane.Length - mean * mean);
            if (Math.Sqrt(variance) >= threshold) return false;
        }
        return true;
    }

    /// <summary>Passes each distinct message on once (a skipped file would otherwise warn in every epoch).</summary>
    public static Action<string>? Once(Action<string>? warn)
    {
        if (warn is null) return null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return message => { if (seen.Add(message)) warn(message); };
    }

}
