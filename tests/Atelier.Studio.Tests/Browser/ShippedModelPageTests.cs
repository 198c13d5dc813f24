using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Quality;

namespace Atelier.Studio.Tests.Browser;

/// <summary>
/// The studio as a new user opens it: no models folder, only what Atelier ships. The fast-style and AdaIN panels run
/// with their defaults (a shipped network or decoder, a shipped photo and painting), and the results are style
/// transfer, measured: nearer the style than the photo is. The StyleGAN and inversion panels run on the shipped glyph
/// generator and a shipped glyph of a typeface it never saw; the pix2pix panel on the sketch of a shipped photo; the
/// CycleGAN panel on the shipped serif/sans-serif pair.
/// </summary>
public class ShippedModelPageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Fast_style_and_AdaIN_run_out_of_the_box_with_the_shipped_models()
    {
        var clock = Stopwatch.StartNew();
        await using var browser = await StudioBrowserPage.OpenOnShippedModelsAsync(output);
        var (studio, page) = (browser.Studio, browser.Page);
        using var resnet = ResNetFeatures.BuiltIn();

        // Fast style: a shipped network on the shipped clock photo (the panel's default picture); udnie, whose painting ships too.
        await page.ClickAsync("#tab-faststyle");
        await page.CheckAsync("#panel-faststyle input[type='radio'][value='fast-style.stylize']");
        var models = "#panel-faststyle [data-method='fast-style.stylize'] select[data-param='model']";
        Assert.StartsWith("fast-style-candy", await page.EvalOnSelectorAsync<string>(models, "s => s.options[s.selectedIndex].text"));
        await page.SelectOptionAsync(models, await page.EvalOnSelectorAsync<string>(models, "s => [...s.options].find(o => o.text.startsWith('fast-style-udnie')).value"));
        var fast = await ModelPageTests.RunAsync(studio, page, "faststyle");
        var photo = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/clock.png?size=256"));
        Assert.Equal((photo.Width, photo.Height), (fast.Image.Width, fast.Image.Height));
        var udnie = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/udnie.png?size=256"));
        AssertNearerTheStyle(resnet, photo, fast.Image, udnie, "fast style udnie");
        await browser.ShotAsync("shipped-0-faststyle.png");

        // AdaIN: the shipped decoder, the shipped lake photo and Mondrian's painting (never seen in training).
        await page.CheckAsync("#panel-faststyle input[type='radio'][value='adain.stylize']");
        var adainPanel = "#panel-faststyle [data-method='adain.stylize'] ";
        Assert.Contains("adain-resnet18", await page.InnerTextAsync(adainPanel + "select[data-param='decoder']"));
        var adain = await ModelPageTests.RunAsync(studio, page, "faststyle");
        var lake = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/lake.png?size=256"));
        var mondrian = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/mondrian.png?size=256"));
        Assert.Equal((lake.Width, lake.Height), (adain.Image.Width, adain.Image.Height));
        Assert.Equal("builtin", adain.Info.GetProperty("encoder").GetString());
        AssertNearerTheStyle(resnet, lake, adain.Image, mondrian, "AdaIN Mondrian");
        await browser.ShotAsync("shipped-1-adain.png");

        Assert.Empty(browser.Errors);
        output.WriteLine($"shipped models browser test took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [SkippableFact]
    public async Task StyleGan_and_inversion_run_out_of_the_box_with_the_shipped_glyph_generator()
    {
        var clock = Stopwatch.StartNew();
        await using var browser = await StudioBrowserPage.OpenOnShippedModelsAsync(output);
        var (studio, page) = (browser.Studio, browser.Page);

        // Seeds: the shipped generator is the panel's default; letters are dark strokes on light paper.
        await page.ClickAsync("#tab-stylegan");
        var models = "#panel-stylegan [data-method='stylegan.generate'] select[data-param='model']";
        Assert.StartsWith("stylegan-glyphs", await page.EvalOnSelectorAsync<string>(models, "s => s.options[s.selectedIndex].text"));
        var seeds = await ModelPageTests.RunAsync(studio, page, "stylegan");
        Assert.Equal(32, seeds.Info.GetProperty("size").GetInt32());
        double mean = seeds.Image.Data.Average();
        Assert.True(mean > 0.55, $"mostly paper: mean {mean:0.000}");
        Assert.True(seeds.Image.Data.Count(v => v < 0.3f) > seeds.Image.Data.Length / 50, "and some ink");
        await browser.ShotAsync("shipped-2-stylegan.png");

        // Inversion of the panel's default picture, an R of a typeface the generator never saw: 100 steps reach it.
        await page.ClickAsync("#tab-inversion");
        var invert = "#panel-inversion [data-method='stylegan.invert'] ";
        await page.FillAsync(invert + "input[data-param='steps']", "100");
        var inversion = await ModelPageTests.RunAsync(studio, page, "inversion");
        double psnr = inversion.Info.GetProperty("psnr").GetDouble();
        Assert.True(psnr > 16, $"inversion of the held-out glyph: {psnr:0.0} dB");
        var glyph = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/goudy-R.png?size=32"));
        Assert.Equal((glyph.Width, glyph.Height), (inversion.Image.Width, inversion.Image.Height));
        await browser.ShotAsync("shipped-3-inversion.png");

        Assert.Empty(browser.Errors);
        output.WriteLine($"shipped generator browser test took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [SkippableFact]
    public async Task Pix2Pix_draws_the_shipped_photos_sketch_back_into_a_photo()
    {
        await using var browser = await StudioBrowserPage.OpenOnShippedModelsAsync(output);
        var (studio, page) = (browser.Studio, browser.Page);

        // The panel opens on the shipped generator, its canvas holding the XDoG sketch of the clock photo (never seen in training).
        await page.ClickAsync("#tab-pix2pix");
        var models = "#panel-pix2pix [data-method='pix2pix.translate'] select[data-param='model']";
        Assert.StartsWith("pix2pix-sketch", await page.EvalOnSelectorAsync<string>(models, "s => s.options[s.selectedIndex].text"));
        var sketch = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/clock-sketch.png?size=256"));
        var photo = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/clock.png?size=256"));
        await page.WaitForFunctionAsync($"() => document.querySelector(\"#panel-pix2pix canvas[data-sketch='sketch']\").width === {sketch.Width}");
        var result = await ModelPageTests.RunAsync(studio, page, "pix2pix");
        Assert.Equal((photo.Width, photo.Height), (result.Image.Width, result.Image.Height));

        // A photo again: coloured, and nearer the photo than the sketch it was drawn from.
        var l1 = new MeanAbsoluteError();
        double fromSketch = l1.Compare(result.Image, photo), sketchItself = l1.Compare(sketch, photo);
        Assert.True(fromSketch < 0.8 * sketchItself, $"L1 to the photo: result {fromSketch:0.000}, the sketch itself {sketchItself:0.000}");
        Assert.True(Saturation(result.Image) > 0.05, $"colour: {Saturation(result.Image):0.000}");
        await browser.ShotAsync("shipped-4-pix2pix.png");
        Assert.Empty(browser.Errors);
    }

    /// <summary>Mean of max - min over a pixel's channels: 0 for grey.</summary>
    static double Saturation(Image im) => Enumerable.Range(0, im.PlaneSize)
        .Average(i => Math.Max(im.Data[i], Math.Max(im.Data[im.PlaneSize + i], im.Data[2 * im.PlaneSize + i]))
                    - Math.Min(im.Data[i], Math.Min(im.Data[im.PlaneSize + i], im.Data[2 * im.PlaneSize + i])));

    [SkippableFact]
    public async Task CycleGan_runs_out_of_the_box_with_the_shipped_serif_sans_pair()
    {
        await using var browser = await StudioBrowserPage.OpenOnShippedModelsAsync(output);
        var (studio, page) = (browser.Studio, browser.Page);

        // The panel opens on the shipped pair and a serif word it never saw; serif to sans-serif keeps the letters where they are.
        await page.ClickAsync("#tab-cyclegan");
        var models = "#panel-cyclegan [data-method='cyclegan.translate'] select[data-param='model']";
        Assert.StartsWith("cyclegan-serif-sans", await page.EvalOnSelectorAsync<string>(models, "s => s.options[s.selectedIndex].text"));
        var word = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/nimbus-roman-SERIF.png?size=128"));
        var sans = await ModelPageTests.RunAsync(studio, page, "cyclegan");
        Assert.Equal((word.Width, word.Height), (sans.Image.Width, sans.Image.Height));
        AssertSameLettersRedrawn(word, sans.Image, "serif to sans-serif");
        await browser.ShotAsync("shipped-5-cyclegan.png");

        // The other way: G_B gives a sans-serif word (also unseen) serifs.
        var panel = "#panel-cyclegan [data-method='cyclegan.translate'] ";
        await page.SelectOptionAsync(panel + "select[data-param='direction']", "BtoA");
        await page.SelectOptionAsync(panel + "select[data-source='image']", "go-medium-SANS");
        await page.WaitForFunctionAsync($"() => document.querySelector(\"{panel}canvas[data-param='image']\").width === 512");
        var serif = await ModelPageTests.RunAsync(studio, page, "cyclegan");
        var sansWord = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/go-medium-SANS.png?size=128"));
        Assert.Equal((sansWord.Width, sansWord.Height), (serif.Image.Width, serif.Image.Height));
        AssertSameLettersRedrawn(sansWord, serif.Image, "sans-serif to serif");
        await browser.ShotAsync("shipped-6-cyclegan-back.png");
        Assert.Empty(browser.Errors);
    }

    /// <summary>Ink where the input has ink (the letters stay), yet a different drawing (the typeface changed).</summary>
    static void AssertSameLettersRedrawn(Image input, Image output, string what)
    {
        bool[] Ink(Image im) => [.. Enumerable.Range(0, im.PlaneSize).Select(i => (im.Data[i] + im.Data[im.PlaneSize + i] + im.Data[2 * im.PlaneSize + i]) / 3 < 0.5f)];
        var a = Ink(input); var b = Ink(output);
        int both = a.Zip(b).Count(x => x.First && x.Second), either = a.Zip(b).Count(x => x.First || x.Second);
        double iou = (double)both / either;
        Assert.True(iou > 0.5, $"{what}: the letters moved (ink overlap {iou:0.00})");
        Assert.True(iou < 0.97, $"{what}: nothing changed (ink overlap {iou:0.00})");
        Assert.True(b.Count(x => x) > b.Length / 50, $"{what}: no ink left");
    }

    /// <summary>The result's Gram statistics are much nearer the style's than the photo's own are, and the photo's layout stays.</summary>
    static void AssertNearerTheStyle(FeatureNetwork network, Image photo, Image result, Image style, string what)
    {
        double before = StyleDistance.Between(network, photo, style), after = StyleDistance.Between(network, result, style);
        Assert.True(after < 0.8 * before, $"{what}: style distance {after:0.000}, the photo's own {before:0.000}");
        double content = ContentDistance.Between(network, result, photo);
        Assert.True(content < 1.5, $"{what}: content distance {content:0.000}");
    }
}
