using System.Diagnostics;
using Atelier.Studio.Tests.Methods;
using Microsoft.Playwright;

namespace Atelier.Studio.Tests.Browser;

/// <summary>
/// The StyleGAN and inversion panels in headless Chromium on a tiny random-weight generator: browse a seed,
/// move the truncation slider, invert the built-in sample with progress, then morph from the inversion.
/// </summary>
public class StyleGanPageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Seeds_truncation_inversion_and_morph_work_in_the_page()
    {
        var chromium = HeadlessChromium.Find();
        Skip.If(chromium == null, HeadlessChromium.Missing);
        var clock = Stopwatch.StartNew();
        using var dir = TestPaths.NewTempDir();
        StyleGanMethodTests.SaveTinyGenerator(dir.File("tiny.safetensors")).Dispose();
        await using var studio = await StudioHarness.StartAsync(o => o.ModelsDirectory = dir.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright, chromium!);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(studio.BaseAddress.ToString());
        await page.WaitForSelectorAsync("body[data-ready='1']");

        // Seeds: the model list offers the generator by kind; the truncation slider re-runs (live).
        await page.ClickAsync("#tab-stylegan");
        var seeds = "#panel-stylegan [data-method='stylegan.seeds'] ";
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
        Assert.Empty(errors);
        output.WriteLine($"StyleGAN browser test took {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
