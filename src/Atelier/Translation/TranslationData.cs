using Atelier.Imaging;
using Atelier.Training;

namespace Atelier.Translation;

/// <summary>One training example: an input (A) and target (B) image, or one image of a domain.</summary>
public sealed record ImagePair(string Name, Image A, Image B);

/// <summary>
/// Training data for pix2pix and CycleGAN, held in memory (these runs use small sets): aligned pairs as
/// side-by-side AB images or two folders A/ and B/ matched by file name; unpaired trainA/ and trainB/ folders.
/// Preprocessing follows the reference's resize_and_crop: resize to load size, random crop, random flip.
/// </summary>
public static class TranslationData
{
    public static List<string> ImagesIn(string dir)
    {
        if (!Directory.Exists(dir)) throw new AtelierException($"{dir}: no such folder");
        var files = ImageIO.ImagesIn(dir);
        if (files.Count == 0) throw new AtelierException($"{dir}: no images {ImageIO.ReadableExtensionList} in this folder");
        return files;
    }

    /// <summary>
    /// Loads an image of a training folder; an unreadable one is reported through <paramref name="warn"/> and skipped
    /// (null), so one bad file does not stop a run.
    /// </summary>
    static Image? TryLoad(string file, Action<string>? warn)
    {
        try { return ImageIO.Load(file); }
        catch (AtelierException e)
        {
            warn?.Invoke($"skipped {file}: {e.Message}");
            return null;
        }
    }

    static List<T> NotEmpty<T>(List<T> items, string dir)
    {
        if (items.Count == 0) throw new AtelierException($"{dir}: no readable images (every one was skipped)");
        return items;
    }

    /// <summary>
    /// Aligned pairs from <paramref name="dir"/>: folders A/ and B/ (or train/A and train/B) matched by file
    /// name, else side-by-side AB images in <paramref name="dir"/> (or its train/). BtoA swaps the roles.
    /// Unreadable images are reported through <paramref name="warn"/> and skipped; pairs that do not line up
    /// (an AB image of odd width, A and B of different sizes, names only on one side) are errors.
    /// </summary>
    public static List<ImagePair> LoadAligned(string dir, Direction direction = Direction.AtoB, Action<string>? warn = null)
    {
        if (!Directory.Exists(dir)) throw new AtelierException($"{dir}: no such folder");
        var root = Directory.Exists(Path.Combine(dir, "train")) ? Path.Combine(dir, "train") : dir;
        var pairs = new List<ImagePair>();
        if (Directory.Exists(Path.Combine(root, "A")) && Directory.Exists(Path.Combine(root, "B")))
        {
            var a = ImagesIn(Path.Combine(root, "A")).ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);
            var b = ImagesIn(Path.Combine(root, "B")).ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);
            var onlyA = a.Keys.Except(b.Keys).Order(StringComparer.Ordinal).ToList();
            var onlyB = b.Keys.Except(a.Keys).Order(StringComparer.Ordinal).ToList();
            if (onlyA.Count + onlyB.Count > 0)
                throw new AtelierException($"{root}: A/ and B/ must hold the same file names; only in A: {Names(onlyA)}; only in B: {Names(onlyB)}");
            foreach (var name in a.Keys.Order(StringComparer.Ordinal))
            {
                var ia = TryLoad(a[name], warn);
                var ib = TryLoad(b[name], warn);
                if (ia is null || ib is null) continue;
                if (ia.Width != ib.Width || ia.Height != ib.Height)
                    throw new AtelierException($"{name}: A is {ia.Width}x{ia.Height} but B is {ib.Width}x{ib.Height}; pairs must be aligned");
                pairs.Add(new ImagePair(name, ia, ib));
            }
        }
        else
        {
            foreach (var f in ImagesIn(root))
            {
                var ab = TryLoad(f, warn);
                if (ab is null) continue;
                if (ab.Width % 2 != 0)
                    throw new AtelierException($"{f}: an AB image holds A and B side by side, so its width must be even (got {ab.Width}); or put pairs in A/ and B/ folders");
                int w = ab.Width / 2;
                pairs.Add(new ImagePair(Path.GetFileNameWithoutExtension(f), ImageOps.Crop(ab, 0, 0, w, ab.Height), ImageOps.Crop(ab, w, 0, w, ab.Height)));
            }
        }
        NotEmpty(pairs, root);
        return direction == Direction.BtoA ? pairs.Select(p => p with { A = p.B, B = p.A }).ToList() : pairs;
    }

    /// <summary>Unpaired domains from trainA/ and trainB/ (or A/ and B/); unreadable images are reported and skipped.</summary>
    public static (List<Image> A, List<Image> B) LoadUnaligned(string dir, Action<string>? warn = null, string split = "train")
    {
        if (!Directory.Exists(dir)) throw new AtelierException($"{dir}: no such folder");
        string a = Path.Combine(dir, split + "A"), b = Path.Combine(dir, split + "B");
        if (!Directory.Exists(a) || !Directory.Exists(b)) { a = Path.Combine(dir, "A"); b = Path.Combine(dir, "B"); }
        if (!Directory.Exists(a) || !Directory.Exists(b))
            throw new AtelierException($"{dir}: expected folders {split}A/ and {split}B/ (or A/ and B/) with the two domains' images");
        List<Image> Load(string folder) => NotEmpty(ImagesIn(folder).Select(f => TryLoad(f, warn)).OfType<Image>().ToList(), folder);
        return (Load(a), Load(b));
    }

    static string Names(List<string> names) => names.Count == 0 ? "(none)" : string.Join(", ", names.Take(5)) + (names.Count > 5 ? $" and {names.Count - 5} more" : "");

    /// <summary>The reference's resize_and_crop + flip, with the same crop and flip for both images of a pair.</summary>
    public static (Image A, Image B) Augment(Image a, Image b, int loadSize, int cropSize, bool flip, TrainingRandom random)
    {
        var ra = Resize(a, loadSize);
        var rb = Resize(b, loadSize);
        int x = random.Next(loadSize - cropSize + 1), y = random.Next(loadSize - cropSize + 1);
        ra = ImageOps.Crop(ra, x, y, cropSize, cropSize);
        rb = ImageOps.Crop(rb, x, y, cropSize, cropSize);
        if (flip && random.NextBool()) { ra = ImageOps.FlipHorizontal(ra); rb = ImageOps.FlipHorizontal(rb); }
        return (ra, rb);
    }

    /// <summary>One image's resize_and_crop + flip.</summary>
    public static Image Augment(Image a, int loadSize, int cropSize, bool flip, TrainingRandom random)
    {
        var r = Resize(a, loadSize);
        int x = random.Next(loadSize - cropSize + 1), y = random.Next(loadSize - cropSize + 1);
        r = ImageOps.Crop(r, x, y, cropSize, cropSize);
        return flip && random.NextBool() ? ImageOps.FlipHorizontal(r) : r;
    }

    static Image Resize(Image image, int size)
    {
        var rgb = ImageOps.ToRgb(image);
        return rgb.Width == size && rgb.Height == size ? rgb : ImageResize.Resize(rgb, size, size);
    }
}
