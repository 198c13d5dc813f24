using System.Diagnostics;
using System.Text.RegularExpressions;
using Atelier.Studio.Demo;

namespace Atelier.Studio.Tests.Demo;

/// <summary>`atelier demo -o DIR`: the gallery is written, every picture it names exists and decodes.</summary>
public class DemoCommandTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Demo_writes_a_gallery_of_real_results()
    {
        using var dir = TestPaths.NewTempDir();
        using var cache = TestPaths.NewTempDir();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        int code = Atelier.Cli.Program.Run(["demo", "-o", dir.File("gallery"), "--cache", cache.Path, "--quick", "--quiet"], stdout, stderr);
        output.WriteLine($"demo took {clock.Elapsed.TotalSeconds:0.0} s\n{stdout}\n{stderr}");
        Assert.True(code == 0, stderr.ToString());

        var html = File.ReadAllText(dir.File("gallery/index.html"));
        var images = Regex.Matches(html, "<img src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(images.Count >= 10, $"only {images.Count} pictures");
        foreach (var file in images)
        {
            var img = StudioImages.DecodeRgb(File.ReadAllBytes(dir.File("gallery/" + file)), file);
            Assert.True(img.Width >= 8 && img.Height >= 8, file); // the 8 px super-resolution input is the smallest
            // A real picture, not a flat fill.
            float min = img.Data.Min(), max = img.Data.Max();
            Assert.True(max - min > 0.1f, $"{file} is flat");
        }
        Assert.Contains("Image quilting".ToLowerInvariant(), html.ToLowerInvariant());
        Assert.Contains("Efros-Leung", html);
        Assert.Contains("Gatys", html);
        // The shipped StyleGAN2 glyph generator: seeds, mixing, inversion of a glyph of a typeface it never saw, the edits.
        Assert.Contains("StyleGAN2: seeds", html);
        Assert.Contains("atelier stylegan generate --model stylegan-glyphs --seeds 1-4", html);
        Assert.Contains("StyleGAN2: invert a picture", html);
        Assert.Contains("glyph goudy-R (a typeface the generator never saw)", html);
        Assert.Contains("atelier stylegan invert glyph-invert-wplus-image.png --model stylegan-glyphs", html);
        Assert.Equal(Atelier.Imaging.ShippedPictures.Glyphs.Find("goudy-R").Load().Data.Take(32 * 32),
            Atelier.Imaging.ImageIO.Load(dir.File("gallery/glyph-invert-wplus-image.png")).Data.Take(32 * 32));
        foreach (var edit in new[] { "glyph-morph.png", "glyph-crossover.png", "glyph-expression.png", "glyph-superres.png", "glyph-inpaint.png", "glyph-sketch.png" })
            Assert.Contains(edit, html);
        Assert.DoesNotContain("RANDOM weights", html);
        // The shipped pix2pix: the sketch of a shipped photo drawn back into a photo of its size.
        Assert.Contains("XDoG sketch of photo clock", html);
        Assert.Contains("atelier pix2pix translate sketch-clock-sketch.png --model pix2pix-sketch", html);
        var clockSketch = Atelier.Imaging.ImageIO.Load(dir.File("gallery/sketch-clock-sketch.png"));
        var drawnBack = Atelier.Imaging.ImageIO.Load(dir.File("gallery/sketch-clock.png"));
        Assert.Equal((clockSketch.Width, clockSketch.Height), (drawnBack.Width, drawnBack.Height));
        // The shipped CycleGAN: a serif word it never saw, to sans-serif (the quick run does the first example only).
        Assert.Contains("atelier cyclegan translate glyph-serif-to-sans-image.png --model cyclegan-serif-sans --direction AtoB", html);
        var serifWord = Atelier.Imaging.ImageIO.Load(dir.File("gallery/glyph-serif-to-sans-image.png"));
        var sansWord = Atelier.Imaging.ImageIO.Load(dir.File("gallery/glyph-serif-to-sans.png"));
        Assert.Equal((serifWord.Width, serifWord.Height), (sansWord.Width, sansWord.Height));
        // The shipped fast-style network runs in the gallery (the studio and CLI use the same file), on the shipped photos.
        Assert.Contains("fast-style-candy-clock.png", html);
        Assert.Contains("photo clock", html);
        Assert.Contains("atelier fast-style stylize fast-style-candy-clock-content.png --model candy", html);
        var photo = Atelier.Imaging.ImageIO.Load(dir.File("gallery/fast-style-candy-clock-content.png"));
        var styled = Atelier.Imaging.ImageIO.Load(dir.File("gallery/fast-style-candy-clock.png"));
        Assert.Equal((photo.Width, photo.Height), (styled.Width, styled.Height));
        Assert.True(photo.Width > photo.Height, "the photo keeps its shape");
        Assert.True(photo.Data.Zip(styled.Data, (a, b) => Math.Abs(a - b)).Average() > 0.05, "the style changed the photo");
        // The shipped AdaIN decoder, default decoder included, on a shipped photo and painting.
        Assert.Contains("painting mondrian", html);
        Assert.Contains("atelier adain stylize adain-clock-mondrian-content.png --style adain-clock-mondrian-style.png", html);
        var adain = Atelier.Imaging.ImageIO.Load(dir.File("gallery/adain-clock-mondrian.png"));
        var clockPhoto = Atelier.Imaging.ImageIO.Load(dir.File("gallery/adain-clock-mondrian-content.png"));
        Assert.Equal((clockPhoto.Width, clockPhoto.Height), (adain.Width, adain.Height));
        Assert.True(clockPhoto.Data.Zip(adain.Data, (a, b) => Math.Abs(a - b)).Average() > 0.05, "AdaIN changed the photo");
        Assert.DoesNotContain("This step failed", html);

        // A file where the folder should go is a usage error (exit 2).
        File.WriteAllText(dir.File("afile"), "x");
        Assert.Equal(2, Atelier.Cli.Program.Run(["demo", "-o", dir.File("afile"), "--quiet"], new StringWriter(), new StringWriter()));
    }
}

/// <summary>The demo's sections made from registered methods' examples.</summary>
public class RegisteredDemoTests
{
    [Fact]
    public void The_tileable_quilting_example_shows_its_2x2_tiling_and_the_command_that_makes_both()
    {
        var step = RegisteredDemoSteps.For([Atelier.Texture.TextureMethods.Quilting]).Single();
        using var cache = TestPaths.NewTempDir();
        var section = step.Run(new DemoContext(3, cache.Path, quick: false, new Progress<Atelier.Runtime.ProgressReport>(), CancellationToken.None));
        var tile = section.Pictures.Single(p => p.File == "quilting-tileable.png").Image;
        var tiles = section.Pictures.Single(p => p.File == "quilting-tileable-tiles.png").Image;
        Assert.Equal(Atelier.Imaging.ImageOps.Tile(tile, 2, 2).Data, tiles.Data);
        Assert.True(Atelier.Quality.SeamEnergy.Wrap(tile).Ratio < 1.5, "the example tiles");
        Assert.DoesNotContain(section.Pictures, p => p.File == "quilting-bricks-tiles.png"); // untiled examples have none
        Assert.Contains("atelier texture quilting quilting-tileable-sample.png --size 256x256 --tileable --seed 3 -o quilting-tileable.png --preview-tiles quilting-tileable-tiles.png", section.About);
    }
}
