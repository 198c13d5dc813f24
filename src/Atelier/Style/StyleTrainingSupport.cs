using System.Globalization;
using Atelier.Imaging;
using Atelier.IO;
using Atelier.Training;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// What the feed-forward style trainers share: the images of a folder, loading one as a square training crop, the
/// loss history with its plot, and the sample grid. (The run checkpoint and Adam come from Atelier.Training.)
/// </summary>
public static class StyleTrainingSupport
{
    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"];

    /// <summary>The image files of a folder in name order; an AtelierException when there are none.</summary>
    public static List<string> ImagesIn(string folder, string what)
    {
        if (!Directory.Exists(folder)) throw new AtelierException($"{folder}: no such folder ({what})");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
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

    /// <summary>Loss curves by name, saved in run checkpoints as metadata and drawn as a PNG.</summary>
    public sealed class LossHistory
    {
        readonly Dictionary<string, List<(double X, double Y)>> _series = new(StringComparer.Ordinal);

        public void Add(long step, IReadOnlyDictionary<string, double> losses)
        {
            foreach (var (k, v) in losses)
            {
                if (!_series.TryGetValue(k, out var list)) _series[k] = list = [];
                list.Add((step, v));
            }
        }

        public IReadOnlyList<(double X, double Y)> this[string name] => _series[name];

        /// <summary>True when a curve of that name was recorded.</summary>
        public bool ContainsKey(string name) => _series.ContainsKey(name);

        public string Serialise() => string.Join(";", _series.Select(kv =>
            kv.Key + "=" + string.Join(",", kv.Value.Select(p => $"{p.X.ToString(CultureInfo.InvariantCulture)}:{p.Y.ToString("R", CultureInfo.InvariantCulture)}"))));

        public static LossHistory Parse(string? text)
        {
            var h = new LossHistory();
            if (string.IsNullOrEmpty(text)) return h;
            foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=');
                var list = h._series[part[..eq]] = [];
                foreach (var p in part[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var xy = p.Split(':');
                    list.Add((double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture)));
                }
            }
            return h;
        }

        public void SavePlot(string path, string title)
        {
            var series = _series.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<(double X, double Y)>)kv.Value);
            ImageIO.Save(LinePlot.Render(series, 640, 400, title, logY: true), path);
        }
    }

    /// <summary>Saves a grid: one row per sample (inputs..., output), captioned.</summary>
    public static void SaveGrid(string path, IReadOnlyList<IReadOnlyList<(Image Image, string Caption)>> rows)
    {
        int columns = rows[0].Count;
        var cells = rows.SelectMany(r => r.Select(c => (c.Image, (string?)c.Caption))).ToList();
        ContactSheet.Save(path, cells, columns);
    }

    /// <summary>Run metadata value as a double.</summary>
    internal static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
