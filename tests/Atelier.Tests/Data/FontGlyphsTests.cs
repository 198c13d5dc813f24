using Atelier.Data;
using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Data;

/// <summary>
/// `data glyphs` on a made-up file system holding subsets of the Go fonts (fixtures/fonts, BSD-3-clause): two faces
/// of the family "Go", one of "Go Mono", a copy, a face lacking a letter and a file that is no font.
/// </summary>
public class FontGlyphsTests
{
    static string MakeRoot(TempDir dir)
    {
        var root = dir.File("root");
        var fonts = Path.Combine(root, "usr/share/fonts/fonts-go");
        Directory.CreateDirectory(fonts);
        foreach (var f in new[] { "Go-Regular-ABCO.ttf", "Go-Bold-ABCO.ttf", "Go-Mono-ABCO.ttf", "Go-Italic-AB.ttf" })
            File.Copy(TestPaths.Fixture("fonts", f), Path.Combine(fonts, f));
        File.Copy(TestPaths.Fixture("fonts", "Go-Bold-ABCO.ttf"), Path.Combine(fonts, "Go-Bold-copy.ttf"));
        File.WriteAllText(Path.Combine(fonts, "broken.ttf"), "not a font");
        Directory.CreateDirectory(Path.Combine(root, "var/lib/dpkg/info"));
        File.WriteAllLines(Path.Combine(root, "var/lib/dpkg/info/fonts-go.list"),
            ["/usr/share/fonts/fonts-go/Go-Regular-ABCO.ttf", "/usr/share/fonts/fonts-go/Go-Bold-ABCO.ttf", "/usr/share/fonts/fonts-go/Go-Mono-ABCO.ttf"]);
        File.WriteAllLines(Path.Combine(root, "var/lib/dpkg/status"), ["Package: fonts-go", "Version: 0.0~git20170330.1.f03a046-1"]);
        Directory.CreateDirectory(Path.Combine(root, "usr/share/doc/fonts-go"));
        File.WriteAllLines(Path.Combine(root, "usr/share/doc/fonts-go/copyright"), ["Files: *", "License: BSD-3-clause", "", "License: BSD-3-clause", " text"]);
        return root;
    }

    static double Ink(Image im) => im.Data.Take(im.PlaneSize).Average(v => 1 - v);

    [Fact]
    public void DrawsEveryLetterOfEachFontOnceAndHoldsOutWholeFamilies()
    {
        using var dir = TestPaths.NewTempDir();
        var root = MakeRoot(dir);
        var output = dir.File("out");
        var r = FontGlyphs.Collect(output, new FontGlyphsOptions { Root = root, Size = 32, Letters = "ABCO", HoldOutEvery = 2 });

        // Families in name order: "Go", "Go Mono"; the second is held out. The copy is dropped, the italic lacks C and O.
        Assert.Equal((2, 1, 12, 1), (r.TrainFonts, r.TestFonts, r.Images, r.Duplicates));
        Assert.Equal(2, r.Skipped.Count);
        Assert.Contains(r.Skipped, s => s.File.EndsWith("Go-Italic-AB.ttf") && s.Reason == "has no glyph for CO");
        Assert.Contains(r.Skipped, s => s.File.EndsWith("broken.ttf") && s.Reason.Contains("not a font"));
        Assert.Equal(8, Directory.GetFiles(Path.Combine(output, "train")).Length);
        Assert.Equal(["Go-Mono-ABCO_A.png", "Go-Mono-ABCO_B.png", "Go-Mono-ABCO_C.png", "Go-Mono-ABCO_O.png"],
            Directory.GetFiles(Path.Combine(output, "test")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(output, "SKIPPED.tsv")).Length);

        var rows = File.ReadAllLines(r.Attribution).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(3, rows.Count);
        var mono = rows.Single(x => x[0] == "Go-Mono-ABCO");
        Assert.Equal(("test", "Go Mono", "fonts-go", "0.0~git20170330.1.f03a046-1", "/usr/share/fonts/fonts-go/Go-Mono-ABCO.ttf", "BSD-3-clause"),
            (mono[1], mono[2], mono[4], mono[5], mono[6], mono[7]));
    }

    [Fact]
    public void LettersAreDarkOnWhiteCentredAndShareTheirFontsScale()
    {
        using var dir = TestPaths.NewTempDir();
        var o = new FontGlyphsOptions { Root = MakeRoot(dir), Size = 32, Letters = "ABCO", HoldOutEvery = 0 };
        var drawn = FontGlyphs.Draw(TestPaths.Fixture("fonts", "Go-Regular-ABCO.ttf"), o, out var reason);
        Assert.Null(reason);
        Assert.Equal("Go", drawn!.Value.Family);
        var glyphs = drawn.Value.Glyphs;
        Assert.All(glyphs, g => Assert.Equal((32, 32, 3), (g.Width, g.Height, g.Channels)));
        // White paper: every corner is white; ink covers a real part of the picture.
        Assert.All(glyphs, g => Assert.All(new[] { g[0, 0, 0], g[0, 0, 31], g[0, 31, 0], g[0, 31, 31] }, v => Assert.Equal(1f, v)));
        Assert.All(glyphs, g => Assert.InRange(Ink(g), 0.08, 0.6));
        // One scale and baseline for the font: capitals A, B and C stand on the same rows (O overshoots by a pixel at most).
        static (int Top, int Bottom) Rows(Image g)
        {
            var rows = Enumerable.Range(0, g.Height).Where(y => Enumerable.Range(0, g.Width).Any(x => g[0, y, x] < 0.5f)).ToList();
            return (rows.Min(), rows.Max());
        }
        var (aTop, aBottom) = Rows(glyphs[0]);
        Assert.Equal((aTop, aBottom), Rows(glyphs[1]));
        Assert.InRange(Math.Abs(Rows(glyphs[3]).Bottom - aBottom), 0, 1);
        // The letters' joint height spans the fill fraction of the side, centred.
        Assert.InRange(aBottom - aTop + 1, 0.8 * 32 - 2, 0.8 * 32 + 1);
        Assert.InRange(aTop + aBottom, 31 - 2, 31 + 2);
        // Different letters are different pictures; the same font drawn twice is the same.
        Assert.NotEqual(glyphs[0].Data, glyphs[1].Data);
        Assert.Equal(glyphs[2].Data, FontGlyphs.Draw(TestPaths.Fixture("fonts", "Go-Regular-ABCO.ttf"), o, out _)!.Value.Glyphs[2].Data);
    }

    [Fact]
    public void AFamilyListKeepsOnlyItsFamiliesAndNamesTheOnesMissing()
    {
        using var dir = TestPaths.NewTempDir();
        var root = MakeRoot(dir);
        var output = dir.File("out");
        var r = FontGlyphs.Collect(output, new FontGlyphsOptions
            { Root = root, Size = 16, Letters = "ABCO", HoldOutEvery = 0, Families = new HashSet<string> { "Go Mono", "Go Serif" } });

        // Only "Go Mono" is drawn; "Go" (regular and bold) is not listed and "Go Serif" is not installed.
        Assert.Equal((1, 0, 4), (r.TrainFonts, r.TestFonts, r.Images));
        Assert.Equal(["Go Serif"], r.MissingFamilies);
        Assert.All(Directory.GetFiles(Path.Combine(output, "train")), f => Assert.StartsWith("Go-Mono-ABCO_", Path.GetFileName(f)));
        Assert.Throws<AtelierUsageException>(() => FontGlyphs.Collect(dir.File("out2"), new FontGlyphsOptions { Root = root, Families = new HashSet<string>() }));
    }

    [Fact]
    public void AMachineWithoutFontsIsToldWhatToInstall()
    {
        using var dir = TestPaths.NewTempDir();
        var e = Assert.Throws<AtelierException>(() => FontGlyphs.Collect(dir.File("out"), new FontGlyphsOptions { Root = dir.File("empty") }));
        Assert.Contains("apt-get install fonts-urw-base35", e.Message);
        Assert.Throws<AtelierUsageException>(() => FontGlyphs.Collect(dir.File("out"), new FontGlyphsOptions { Root = dir.File("empty"), Size = 4 }));
    }
}
