using Atelier.Imaging;
using Atelier.Runtime;
using Atelier.Training;

namespace Atelier.Translation.Data;

/// <summary>How many pairs to cut from each photo and how; which photos to hold out for testing.</summary>
public sealed record PairDatasetOptions
{
    public PairInputOptions Input { get; init; } = new();
    /// <summary>Side of each square pair half (the AB image is 2 Size x Size).</summary>
    public int Size { get; init; } = 256;
    /// <summary>Pairs per photo: the first is the centred full square, the others random crops.</summary>
    public int PerImage { get; init; } = 1;
    /// <summary>Random crops have a side between this fraction and all of the photo's shorter side.</summary>
    public double MinCrop { get; init; } = 0.5;
    /// <summary>Random crops are mirrored half of the time.</summary>
    public bool Flip { get; init; } = true;
    /// <summary>Photos whose pairs go to test/ instead of train/ (chosen at random with the seed).</summary>
    public int TestImages { get; init; }
    /// <summary>
    /// Edge inputs only: a pair whose sketch has fewer stroke pixels (darker than mid-grey) than this fraction is cut
    /// again at random (up to <see cref="PairDatasetBuilder.Recuts"/> times), then left out. Smooth gradients and flat
    /// skies give near-empty sketches, which teach sketch-to-photo nothing. 0 keeps every pair.
    /// </summary>
    public double MinStrokes { get; init; }
    public long Seed { get; init; }
}

/// <summary>What was written and what was skipped (SparsePairs: pairs left out for too few strokes).</summary>
public sealed record PairDatasetReport(int Photos, int TrainPairs, int TestPairs, IReadOnlyList<string> TestPhotos, IReadOnlyList<SkippedImage> Skipped,
    int SparsePairs = 0);

/// <summary>A photo that could not be read, and why.</summary>
public sealed record SkippedImage(string File, string Error);

/// <summary>
/// Builds a pix2pix dataset from any folder of photos, in the reference's aligned format: DIR/train/NAME.png (and
/// DIR/test/) each an AB image, derived input A on the left, photo B on the right. Crops and flips make many pairs
/// from few photos; an unreadable photo is reported and skipped.
/// </summary>
public static class PairDatasetBuilder
{
    public static PairDatasetReport Build(string sourceDir, string outputDir, PairDatasetOptions o,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        if (o.Size < 8) throw new AtelierUsageException($"{{Size}} {o.Size}: must be at least 8");
        if (o.PerImage < 1) throw new AtelierUsageException($"{{PerImage}} {o.PerImage}: must be at least 1");
        if (o.MinCrop is <= 0 or > 1) throw new AtelierUsageException($"{{MinCrop}} {o.MinCrop}: must be in (0, 1]");
        if (o.TestImages < 0) throw new AtelierUsageException($"{{TestImages}} {o.TestImages}: must be 0 or more");
        if (o.MinStrokes is < 0 or >= 1) throw new AtelierUsageException($"{{MinStrokes}} {o.MinStrokes}: must be in [0, 1)");
        if (o.MinStrokes > 0 && o.Input.Source != PairSource.Edges)
            throw new AtelierUsageException($"{{MinStrokes}}: counts the strokes of edge inputs; this dataset derives {o.Input.Source.ToString().ToLowerInvariant()}");
        var files = TranslationData.ImagesIn(sourceDir);
        if (o.TestImages >= files.Count)
            throw new AtelierUsageException($"{{TestImages}} {o.TestImages}: {sourceDir} has only {files.Count} image(s); leave some for training");
        if (Directory.Exists(outputDir) && Directory.EnumerateFileSystemEntries(outputDir).Any())
            throw new AtelierUsageException($"{{OutputDir}} {outputDir}: folder is not empty; choose a new one");

        var random = new TrainingRandom(o.Seed);
        var shuffled = files.ToList();
        random.Shuffle(shuffled);
        var test = shuffled.Take(o.TestImages).ToHashSet(StringComparer.Ordinal);
        var skipped = new List<SkippedImage>();
        int train = 0, testPairs = 0, sparse = 0;
        for (int f = 0; f < files.Count; f++)
        {
            ct.ThrowIfCancellationRequested();
            var file = files[f];
            Image photo;
            try { photo = ImageOps.ToRgb(ImageIO.Load(file)); }
            catch (AtelierException e)
            {
                skipped.Add(new SkippedImage(file, e.Message));
                continue;
            }
            bool isTest = test.Contains(file);
            var dir = Path.Combine(outputDir, isTest ? "test" : "train");
            var stem = Path.GetFileNameWithoutExtension(file);
            for (int i = 0; i < o.PerImage; i++)
            {
                Image? target = null, input = null;
                for (int attempt = 0; attempt < (o.MinStrokes > 0 ? Recuts : 1) && target is null; attempt++)
                {
                    target = Cut(photo, o, random, first: i == 0 && attempt == 0);
                    input = PairInput.Derive(target, o.Input);
                    if (o.MinStrokes > 0 && StrokeFraction(input) < o.MinStrokes) target = null;
                }
                if (target is null) { sparse++; continue; }
                ImageIO.Save(SideBySide(input!, target), Path.Combine(dir, $"{stem}_{i:D3}.png"));
                if (isTest) testPairs++; else train++;
            }
            progress?.Report(new ProgressReport(f + 1, files.Count, Path.GetFileName(file)));
        }
        if (train == 0) throw new AtelierException($"{sourceDir}: no readable image for training ({skipped.Count} skipped)");
        return new PairDatasetReport(files.Count, train, testPairs, test.Order(StringComparer.Ordinal).Select(Path.GetFileName).ToList()!, skipped, sparse);
    }

    /// <summary>Random cuts tried for a pair with too few strokes before it is left out.</summary>
    public const int Recuts = 10;

    /// <summary>The share of an edge input's pixels that are strokes: darker than mid-grey.</summary>
    public static double StrokeFraction(Image input)
    {
        int n = input.PlaneSize, dark = 0;
        for (int i = 0; i < n; i++) if (input.Data[i] < 0.5f) dark++;
        return (double)dark / n;
    }

    /// <summary>A square of the photo resized to Size: the centred full square first, then random crops and flips.</summary>
    static Image Cut(Image photo, PairDatasetOptions o, TrainingRandom random, bool first)
    {
        int shorter = Math.Min(photo.Width, photo.Height);
        Image square;
        bool flip = false;
        if (first) square = ImageOps.CenterCrop(photo, shorter, shorter);
        else
        {
            int side = Math.Max(1, (int)Math.Round(shorter * (o.MinCrop + (1 - o.MinCrop) * random.NextDouble())));
            int x = random.Next(photo.Width - side + 1), y = random.Next(photo.Height - side + 1);
            square = ImageOps.Crop(photo, x, y, side, side);
            flip = o.Flip && random.NextBool();
        }
        var resized = ImageResize.Resize(square, o.Size, o.Size);
        return flip ? ImageOps.FlipHorizontal(resized) : resized;
    }

    /// <summary>A and B side by side (the reference's AB format).</summary>
    public static Image SideBySide(Image a, Image b)
    {
        if (a.Width != b.Width || a.Height != b.Height || a.Channels != b.Channels)
            throw new ArgumentException($"pair halves differ: {a} and {b}");
        var ab = new Image(2 * a.Width, a.Height, a.Channels);
        for (int c = 0; c < a.Channels; c++)
            for (int y = 0; y < a.Height; y++)
            {
                Array.Copy(a.Data, (c * a.Height + y) * a.Width, ab.Data, (c * ab.Height + y) * ab.Width, a.Width);
                Array.Copy(b.Data, (c * b.Height + y) * b.Width, ab.Data, (c * ab.Height + y) * ab.Width + a.Width, b.Width);
            }
        return ab;
    }
}
