using System.Diagnostics;
using Atelier.Studio.Tests.Methods;
using Microsoft.Playwright;

namespace Atelier.Studio.Tests.Browser;

/// <summary>
/// The StyleGAN and inversion panels in headless Chromium on a tiny random-weight generator: browse a seed,
/// move the truncation slider, the style-mixing grid and its crossover slider; invert the built-in sample with
/// progress, then morph and cross over from the inversion; super-resolution, inpainting a brushed hole, a sketch.
/// </summary>
public class StyleGanPageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Every_StyleGan_and_inversion_method_works_in_the_page()
    {
        var chromium = HeadlessChromium.Find();
        Skip.If(chromium == null, HeadlessChromium.Missing);
        var clock = Stopwatch.StartNew();
        using var dir = TestPaths.NewTempDir();
        StyleGanMethodTests.SaveTinyGenerator(dir.File("tiny.safetensors")).Dispose();
        await using var studio = await StudioHarness.StartAsync(o => o.ModelsDirectory = dir.Path);
        await using var browser = await StudioBrowserPage.OpenAsync(studio, chromium!, output, 20_000);
        var page = browser.Page;

        // Seeds: the model list offers the generator by kind; the truncation slider re-runs (live).
        await page.ClickAsync("#tab-stylegan");
        var seeds = "#panel-stylegan [data-method='stylegan.generate'] ";
        Assert.Contains("tiny.safetensors", await page.InnerTextAsync(seeds + "select[data-param='model']"));
        await page.ClickAsync("#panel-stylegan button.run");
        await page.WaitForSelectorAsync("#panel-stylegan[data-state='succeeded']");
        var first = await page.GetAttributeAsync("#panel-stylegan", "data-job");
        var slider = page.Locator(seeds + "input[data-param='truncation']");
        await slider.FocusAsync();
        await slider.PressAsync("ArrowLeft");
        await page.WaitForFunctionAsync("prev => { const p = document.querySelector('#panel-stylegan'); return p.dataset.job !== prev && p.dataset.state === 'succeeded'; }", first);
        var snap = await studio.GetJsonAsync($"/api/jobs/{await page.GetAttributeAsync("#panel-stylegan", "data-job")}");
        Assert.Equal(0.95, snap.GetProperty("info").GetProperty("truncation").GetDouble(), 3);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HeadlessChromium.ScreenshotDirectory, "stylegan-seeds.png"), FullPage = true });

        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: seeds, truncation");

        // The mixing grid (2 x 2 seeds), then its crossover slider (live): 2 -> 3 of the tiny generator's 6 latents.
        await page.CheckAsync("#panel-stylegan input[type='radio'][value='stylegan.mix']");
        var mix = "#panel-stylegan [data-method='stylegan.mix'] ";
        await page.FillAsync(mix + "input[data-param='count']", "2");
        Assert.Equal("5", await page.GetAttributeAsync(mix + "input[data-param='crossover']", "max")); // the slider stays inside the generator
        var grid = await ModelPageTests.RunAsync(studio, page, "stylegan");
        Assert.Equal("0-1", grid.Info.GetProperty("fromColumns").GetString());
        Assert.True(grid.Image.Width > 3 * 16 && grid.Image.Height > 3 * 16, $"a 3 x 3 sheet of 16 px cells is {grid.Image.Width}x{grid.Image.Height}");
        var crossed = await ModelPageTests.Slide(studio, page, "stylegan", mix + "input[data-param='crossover']", "ArrowRight");
        Assert.Equal(3, crossed.Info.GetProperty("crossover").GetInt32());
        Assert.Equal("0-2", crossed.Info.GetProperty("fromColumns").GetString());
        ModelPageTests.AssertDiffers(grid.Image, crossed.Image, "mixing grid, crossover 3 vs 2");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HeadlessChromium.ScreenshotDirectory, "stylegan-mixing.png"), FullPage = true });
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: mixing");

        // Inversion of the built-in sample (a few steps), its PSNR shown; then the morph starts from it.
        await page.ClickAsync("#tab-inversion");
        var invert = "#panel-inversion [data-method='stylegan.invert'] ";
        await page.FillAsync(invert + "input[data-param='steps']", "5");
        await page.ClickAsync("#panel-inversion button.run");
        await page.WaitForSelectorAsync("#panel-inversion[data-state='succeeded']");
        Assert.Contains("psnr", await page.InnerTextAsync("#panel-inversion .status"));
        var inversion = await page.GetAttributeAsync("#panel-inversion", "data-job");
        await page.CheckAsync("#panel-inversion input[type='radio'][value='stylegan.morph']");
        Assert.Equal(inversion, await page.InputValueAsync("#panel-inversion [data-method='stylegan.morph'] select[data-code='from']"));
        await page.ClickAsync("#panel-inversion button.run");
        await page.WaitForFunctionAsync("prev => { const p = document.querySelector('#panel-inversion'); return p.dataset.job !== prev && p.dataset.state === 'succeeded'; }", inversion);
        snap = await studio.GetJsonAsync($"/api/jobs/{await page.GetAttributeAsync("#panel-inversion", "data-job")}");
        Assert.Equal("inversion", snap.GetProperty("info").GetProperty("from").GetString());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HeadlessChromium.ScreenshotDirectory, "stylegan-morph.png"), FullPage = true });
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: inversion, morph");

        // Crossover from the inversion: its split slider (live) runs it, 4 -> 3.
        await page.CheckAsync("#panel-inversion input[type='radio'][value='stylegan.crossover']");
        var cross = "#panel-inversion [data-method='stylegan.crossover'] ";
        Assert.Equal(inversion, await page.InputValueAsync(cross + "select[data-code='shallow']"));
        Assert.Equal("6", await page.GetAttributeAsync(cross + "input[data-param='split']", "max"));
        var split = await ModelPageTests.Slide(studio, page, "inversion", cross + "input[data-param='split']", "ArrowLeft");
        Assert.Equal(3, split.Info.GetProperty("split").GetInt32());
        Assert.True(split.Image.Width >= 3 * 16, $"three 16 px cells in a {split.Image.Width} px wide sheet");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HeadlessChromium.ScreenshotDirectory, "stylegan-crossover.png"), FullPage = true });

        // The degraded inversions, a few steps each without the perceptual loss (the plumbing, not the quality).
        async Task<(Atelier.Imaging.Image Image, System.Text.Json.JsonElement Info)> Degraded(string method, Func<string, Task>? prepare = null)
        {
            await page.CheckAsync($"#panel-inversion input[type='radio'][value='{method}']");
            var form = $"#panel-inversion [data-method='{method}'] ";
            await page.FillAsync(form + "input[data-param='steps']", "3");
            await page.UncheckAsync(form + "input[data-param='perceptual']");
            if (prepare != null) await prepare(form);
            var r = await ModelPageTests.RunAsync(studio, page, "inversion");
            Assert.Equal((16, 16), (r.Image.Width, r.Image.Height));
            Assert.True(r.Info.GetProperty("latent").GetBoolean()); // each is an inversion the edits can start from
            return r;
        }
        var sr = await Degraded("stylegan.superres");
        Assert.Equal("downsample x4", sr.Info.GetProperty("degradation").GetString());
        var inpaint = await Degraded("stylegan.inpaint", form => ModelPageTests.Draw(page, page.Locator(form + "canvas.overlay"), (0.3f, 0.5f), (0.7f, 0.5f)));
        Assert.Equal("mask", inpaint.Info.GetProperty("degradation").GetString());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HeadlessChromium.ScreenshotDirectory, "stylegan-inpaint.png"), FullPage = true });
        var drawn = await Degraded("stylegan.sketch", form => ModelPageTests.Draw(page, page.Locator(form + "canvas[data-sketch='sketch']"), (0.2f, 0.3f), (0.8f, 0.6f)));
        Assert.Equal("edges", drawn.Info.GetProperty("degradation").GetString());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HeadlessChromium.ScreenshotDirectory, "stylegan-sketch.png"), FullPage = true });
        Assert.Empty(browser.Errors);
        output.WriteLine($"StyleGAN browser test took {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
