using Atelier.Imaging;
using Atelier.Tests.Cli;
using Atelier.Translation;
using Atelier.Translation.Data;
using Xunit;

namespace Atelier.Tests.Translation;

/// <summary>`atelier data pairs` and the derivations behind it (edges, gray, blur, downsample).</summary>
public class PairDataTests
{
    /// <summary>A white square on black: its only edges are the square's four sides.</summary>
    static Image Square(int size, int from, int to)
    {
        var img = new Image(size, size, 3);
        for (int c = 0; c < 3; c++)
            for (int y = from; y < to; y++)
                for (int x = from; x < to; x++) img[c, y, x] = 1;
        return img;
    }

    static bool IsLine(Image edges, int x, int y) => edges[0, y, x] < 0.5f;

    [Fact]
    public void CannyFindsTheSidesOfASquareAndNothingElse()
    {
        var edges = EdgeDetection.Canny(Square(32, 8, 24));
        Assert.Equal(3, edges.Channels);
        // Lines lie within a pixel of each side, and the inside and outside are white.
        for (int t = 10; t < 22; t++)
        {
            Assert.True(IsLine(edges, 7, t) || IsLine(edges, 8, t), $"left side at y={t}");
            Assert.True(IsLine(edges, 23, t) || IsLine(edges, 24, t), $"right side at y={t}");
            Assert.True(IsLine(edges, t, 7) || IsLine(edges, t, 8), $"top side at x={t}");
        }
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                bool nearSide = (Math.Abs(x - 7.5) <= 1.5 || Math.Abs(x - 23.5) <= 1.5 || Math.Abs(y - 7.5) <= 1.5 || Math.Abs(y - 23.5) <= 1.5)
                                && x is >= 6 and <= 25 && y is >= 6 and <= 25;
                if (!nearSide) Assert.False(IsLine(edges, x, y), $"stray line at ({x},{y})");
            }
        // Non-maximum suppression keeps lines thin: at most 2 pixels across a side.
        int across = Enumerable.Range(0, 32).Count(x => IsLine(edges, x, 16));
        Assert.InRange(across, 2, 4);
        // A flat image has no edges at all.
        Assert.All(EdgeDetection.Canny(new Image(16, 16, 3)).Data, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void XdogDrawsDarkStrokesOnlyNearEdges()
    {
        var x = EdgeDetection.Xdog(Square(32, 8, 24));
        Assert.Equal(1f, x[0, 16, 16]); // flat inside
        Assert.Equal(1f, x[0, 2, 2]);   // flat outside
        // The dark side of the square's border gets a stroke.
        Assert.True(Enumerable.Range(5, 4).Any(i => x[0, 16, i] < 0.3f), "no stroke left of the square");
        // Strokes hug the border: every dark pixel lies within a few pixels of it.
        Assert.True(x.Data.Count(v => v < 0.5f) >= 40);
        for (int yy = 0; yy < 32; yy++)
            for (int xx = 0; xx < 32; xx++)
                if (x[0, yy, xx] < 0.5f) Assert.True(xx is >= 2 and < 30 && yy is >= 2 and < 30 && !(xx is >= 10 and < 22 && yy is >= 10 and < 22), $"stray stroke at ({xx},{yy})");
    }

    [Fact]
    public void OtherSourcesKeepTheSizeAndDegradeDetail()
    {
        var photo = TrainingRunTests.Pattern(32, 2);
        var gray = PairInput.Derive(photo, new PairInputOptions { Source = PairSource.Grayscale });
        Assert.Equal(gray[0, 5, 7], gray[2, 5, 7]);
        Assert.Equal(0.299f * photo[0, 5, 7] + 0.587f * photo[1, 5, 7] + 0.114f * photo[2, 5, 7], gray[1, 5, 7], 5);
        var checker = new Image(16, 16, 3);
        for (int c = 0; c < 3; c++) for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) checker[c, y, x] = (x + y) % 2;
        foreach (var o in new[] { new PairInputOptions { Source = PairSource.Blur }, new PairInputOptions { Source = PairSource.Downsample } })
        {
            var d = PairInput.Derive(checker, o);
            Assert.Equal((16, 16, 3), (d.Width, d.Height, d.Channels));
            // A one-pixel checkerboard is detail that both remove: everything goes to mid gray.
            Assert.All(d.Data, v => Assert.InRange(v, 0.4f, 0.6f));
        }
        Assert.Throws<AtelierUsageException>(() => PairInputOptions.ParseSource("sepia"));
    }

    [Fact]
    public void DataPairsBuildsAlignedPairsWithAugmentationAndHeldOutPhotos()
    {
        using var dir = TestPaths.NewTempDir();
        var photos = Path.Combine(dir.Path, "photos");
        Directory.CreateDirectory(photos);
        for (int i = 0; i < 4; i++) ImageIO.Save(TrainingRunTests.Pattern(40 + 8 * i, i), Path.Combine(photos, $"p{i}.png"));
        // Wide photo: the first pair is its centred square.
        var wide = new Image(60, 30, 3);
        for (int y = 0; y < 30; y++) for (int x = 0; x < 60; x++) wide[1, y, x] = x / 59f;
        ImageIO.Save(wide, Path.Combine(photos, "wide.png"));
        File.WriteAllText(Path.Combine(photos, "broken.jpg"), "not a jpeg");

        var output = Path.Combine(dir.Path, "pairs");
        var r = CliHarness.Run("--seed", "3", "data", "pairs", photos, "-o", output, "--from", "grayscale", "--size", "16", "--per-image", "3", "--test", "1");
        // The broken photo is reported and skipped; the rest is written; the exit code says something failed.
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("broken.jpg", r.Err);
        var train = Directory.GetFiles(Path.Combine(output, "train"));
        var test = Directory.GetFiles(Path.Combine(output, "test"));
        Assert.Equal(15, train.Length + test.Length); // 5 readable photos x 3
        Assert.Equal(3, test.Length);
        var heldOut = Path.GetFileName(test[0])[..^8];
        Assert.DoesNotContain(train, f => Path.GetFileName(f).StartsWith(heldOut + "_", StringComparison.Ordinal));

        // Each file is an AB image (input left, photo right) that the pix2pix loader reads back as an aligned pair.
        var pairs = TranslationData.LoadAligned(output);
        Assert.Equal(train.Length, pairs.Count);
        foreach (var p in pairs)
        {
            Assert.Equal((16, 16), (p.A.Width, p.A.Height));
            var expectedGray = ImageOps.ToGray(p.B);
            for (int i = 0; i < 256; i++) Assert.InRange(p.A.Data[i] - expectedGray.Data[i], -0.006f, 0.006f); // 8-bit PNG rounding of A and of B
        }
        if (heldOut != "wide")
        {
            var first = pairs.Single(p => p.Name == "wide_000");
            var expected = ImageResize.Resize(ImageOps.CenterCrop(wide, 30, 30), 16, 16);
            for (int i = 0; i < 256; i++) Assert.InRange(first.B.Data[256 + i] - expected.Data[256 + i], -0.003f, 0.003f);
        }
        // Random crops differ from the centred square.
        var stem = pairs[0].Name[..^4];
        Assert.NotEqual(pairs.Single(p => p.Name == stem + "_000").B.Data, pairs.Single(p => p.Name == stem + "_001").B.Data);

        // Same seed, same dataset.
        var again = Path.Combine(dir.Path, "again");
        CliHarness.Run("--seed", "3", "data", "pairs", photos, "-o", again, "--from", "grayscale", "--size", "16", "--per-image", "3", "--test", "1");
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "train", Path.GetFileName(train[1]))), File.ReadAllBytes(Path.Combine(again, "train", Path.GetFileName(train[1]))));
    }

    /// <summary>--min-strokes: a photo with nothing to draw gives no pairs (and says so); every pair kept has the strokes asked for.</summary>
    [Fact]
    public void PairsWithTooFewStrokesAreCutAgainThenLeftOut()
    {
        using var dir = TestPaths.NewTempDir();
        var photos = Directory.CreateDirectory(dir.File("photos")).FullName;
        var flat = new Image(48, 48, 3);
        Array.Fill(flat.Data, 0.5f);
        ImageIO.Save(flat, Path.Combine(photos, "sky.png"));
        ImageIO.Save(Square(48, 12, 36), Path.Combine(photos, "square.png"));
        var output = dir.File("pairs");
        var r = CliHarness.Run("--seed", "1", "data", "pairs", photos, "-o", output, "--edges", "xdog", "--size", "32", "--per-image", "2", "--min-strokes", "0.02", "--min-crop", "0.9");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("2 pairs left out for too few strokes", r.Out + r.Err);
        var pairs = TranslationData.LoadAligned(output);
        Assert.Equal(["square_000", "square_001"], pairs.Select(p => p.Name).Order());
        Assert.All(pairs, p => Assert.True(PairDatasetBuilder.StrokeFraction(p.A) >= 0.02, $"{p.Name}: {PairDatasetBuilder.StrokeFraction(p.A)}"));
        // Without it, the empty sketches are written too.
        var all = TranslationData.LoadAligned(CliHarnessPairs(photos, dir.File("all")));
        Assert.Equal(4, all.Count);
        Assert.Contains(all, p => PairDatasetBuilder.StrokeFraction(p.A) < 0.001);

        r = CliHarness.Run("data", "pairs", photos, "-o", dir.File("gray"), "--from", "grayscale", "--min-strokes", "0.02");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--min-strokes", r.Err);
    }

    static string CliHarnessPairs(string photos, string output)
    {
        var r = CliHarness.Run("--seed", "1", "data", "pairs", photos, "-o", output, "--edges", "xdog", "--size", "32", "--per-image", "2", "--min-crop", "0.9");
        Assert.True(r.ExitCode == 0, r.Err);
        return output;
    }

    [Fact]
    public void DataPairsRejectsBadRequests()
    {
        using var dir = TestPaths.NewTempDir();
        Directory.CreateDirectory(dir.File("empty"));
        var r = CliHarness.Run("data", "pairs", dir.File("empty"), "-o", dir.File("out"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no images", r.Err);

        Directory.CreateDirectory(dir.File("one"));
        ImageIO.Save(new Image(8, 8, 3), Path.Combine(dir.File("one"), "a.png"));
        r = CliHarness.Run("data", "pairs", dir.File("one"), "-o", dir.File("out"), "--test", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--test", r.Err);
        r = CliHarness.Run("data", "pairs", dir.File("one"), "-o", dir.File("out"), "--from", "sepia");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--from sepia", r.Err);
        r = CliHarness.Run("data", "pairs", dir.File("one"), "-o", dir.File("one"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not empty", r.Err);

        Directory.CreateDirectory(dir.File("bad"));
        File.WriteAllText(Path.Combine(dir.File("bad"), "x.png"), "junk");
        r = CliHarness.Run("data", "pairs", dir.File("bad"), "-o", dir.File("out2"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no readable image", r.Err);
    }
}
