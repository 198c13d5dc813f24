using System.Diagnostics;
using System.Text;
using Microsoft.Playwright;

namespace Atelier.Studio.Tests.Browser;

/// <summary>
/// The page in a real headless Chromium against a real studio: draw on a canvas, run a method, move a live
/// slider, start and cancel a long job, and see the error for a bad upload. Screenshots go to the test output.
/// </summary>
public class StudioPageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [SkippableFact]
    public async Task The_page_draws_runs_slides_cancels_and_reports_bad_uploads()
    {
        var chromium = HeadlessChromium.Find();
        Skip.If(chromium == null, HeadlessChromium.Missing);
        var clock = Stopwatch.StartNew();

        // The real methods of this build, plus the small test methods for a live slider and a long job.
        await using var studio = await StudioHarness.StartAsync(methods: [.. Atelier.Studio.Methods.MethodSet.All(), .. new StudioMethodsForTests().All]);
        await using var browser = await StudioBrowserPage.OpenAsync(studio, chromium!, output, 15_000, consoleErrors: true);
        var page = browser.Page;
        Assert.Equal(8, await page.Locator("nav button").CountAsync());
        // A panel with no method in this server says what it needs.
        await page.ClickAsync("#tab-pix2pix");
        Assert.Contains("Pix2Pix", await page.InnerTextAsync("#panel-pix2pix .notice"));

        // 1. Run a real method: quilting from the built-in bricks.
        await page.ClickAsync("#tab-texture");
        await page.CheckAsync("#panel-texture input[type='radio'][value='texture.quilting']");
        await page.FillAsync("#panel-texture [data-method='texture.quilting'] input[data-param='size']", "160");
        await page.ClickAsync("#panel-texture button.run");
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('#panel-texture img.result'); return document.querySelector('#panel-texture').dataset.state === 'succeeded' && i.complete && i.naturalWidth === 160; }");
        await browser.ShotAsync("0-quilting.png");

        // 2. A live slider runs its method when moved.
        await page.CheckAsync("#panel-texture input[type='radio'][value='test.invert']");
        var quiltJob = await page.GetAttributeAsync("#panel-texture", "data-job");
        var slider = page.Locator("#panel-texture input[data-param='amount']");
        await slider.FocusAsync();
        await slider.PressAsync("ArrowLeft");
        await slider.PressAsync("ArrowLeft"); // 1 -> 0.9 (the second press may queue a re-run)
        // The job id is read in the same check as its success: a queued re-run may replace it on the page right after.
        var done = await page.WaitForFunctionAsync("prev => { const p = document.querySelector('#panel-texture'); const i = p.querySelector('img.result'); return p.dataset.job !== prev && p.dataset.state === 'succeeded' && i.complete && i.naturalWidth === 64 ? p.dataset.job : null; }", quiltJob);
        var jobId = await done.JsonValueAsync<string>();
        var snap = await studio.WaitForJobAsync(jobId);
        Assert.Equal("succeeded", snap.GetProperty("state").GetString());
        var amount = snap.GetProperty("info").GetProperty("amount").GetDouble();
        Assert.True(amount is > 0.85 and < 0.97, $"the slider sent amount {amount}");
        await browser.ShotAsync("1-slider.png");

        // 3. Paint a hole on the canvas and fill it (texture optimisation, the default engine).
        await page.ClickAsync("#tab-fill");
        await page.CheckAsync("#panel-fill input[type='radio'][value='texture.fill']");
        var overlay = page.Locator("#panel-fill [data-method='texture.fill'] canvas.overlay[data-mask='mask']");
        var box = (await overlay.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width * 0.3f, box.Y + box.Height * 0.5f);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * 0.7f, box.Y + box.Height * 0.5f, new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();
        await page.ClickAsync("#panel-fill button.run");
        await page.WaitForSelectorAsync("#panel-fill[data-state='succeeded']");
        snap = await studio.GetJsonAsync($"/api/jobs/{await page.GetAttributeAsync("#panel-fill", "data-job")}");
        var filled = snap.GetProperty("info").GetProperty("filledPixels").GetInt32();
        // A stroke across 40% of a 64-px canvas with a 6-px brush: roughly 26 x 6 pixels.
        Assert.InRange(filled, 60, 600);
        var result = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync(snap.GetProperty("resultUrl").GetString()));
        var original = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/bricks.png?size=64"));
        int changed = Enumerable.Range(0, original.Data.Length).Count(i => original.Data[i] != result.Data[i]);
        Assert.InRange(changed, 1, 3 * filled); // only hole pixels may change
        // The second mask over the picture (where to copy from) takes the strokes once chosen, and only then.
        const string PaintedPixels = "() => ['mask', 'sampleMask'].map(n => { const c = document.querySelector(`#panel-fill canvas.overlay[data-mask='${n}']`); " +
            "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let k = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) k++; return k; })";
        var before = await page.EvaluateAsync<int[]>(PaintedPixels);
        Assert.Equal(0, before[1]);
        await page.ClickAsync("#panel-fill [data-paint='sampleMask']");
        Assert.Equal("true", await page.GetAttributeAsync("#panel-fill [data-method='texture.fill'] [data-paint='sampleMask']", "aria-pressed"));
        Assert.Equal("false", await page.GetAttributeAsync("#panel-fill [data-method='texture.fill'] [data-paint='mask']", "aria-pressed"));
        await page.Mouse.MoveAsync(box.X + box.Width * 0.2f, box.Y + box.Height * 0.2f);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * 0.8f, box.Y + box.Height * 0.2f, new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();
        var after = await page.EvaluateAsync<int[]>(PaintedPixels);
        Assert.Equal(before[0], after[0]);
        Assert.True(after[1] > 60, $"the copy-from mask got {after[1]} painted pixels");
        await browser.ShotAsync("2-fill.png");

        // 4. Start a long job (Gatys texture synthesis), watch its pictures form, cancel it.
        await page.ClickAsync("#tab-gatys");
        await page.CheckAsync("#panel-gatys input[type='radio'][value='gatys.texture']");
        var gatys = "#panel-gatys [data-method='gatys.texture'] ";
        await page.FillAsync(gatys + "input[data-param='size']", "48");
        await page.FillAsync(gatys + "input[data-param='iterations']", "2000");
        await page.ClickAsync("#panel-gatys button.run");
        await page.WaitForSelectorAsync("#panel-gatys[data-state='running']");
        await page.WaitForSelectorAsync("#panel-gatys img.preview[src*='preview.png']", new() { Timeout = 40_000 });
        await browser.ShotAsync("3-running.png");
        await page.ClickAsync("#panel-gatys button.cancel");
        await page.WaitForSelectorAsync("#panel-gatys[data-state='cancelled']");
        Assert.Contains("cancelled", await page.InnerTextAsync("#panel-gatys .error"));
        Assert.True(await page.IsEnabledAsync("#panel-gatys button.run"));

        // 5. A text file named .png: the server's error is shown.
        await page.ClickAsync("#tab-texture");
        await page.SelectOptionAsync("#panel-texture select[data-source='source']", "__upload");
        await page.SetInputFilesAsync("#panel-texture input[data-upload='source']", new FilePayload
        {
            Name = "holiday.png", MimeType = "image/png", Buffer = Encoding.UTF8.GetBytes("this is not a picture"),
        });
        await page.ClickAsync("#panel-texture button.run");
        await page.WaitForFunctionAsync("() => document.querySelector('#panel-texture .error').textContent.includes('content is checked')");
        await browser.ShotAsync("4-bad-upload.png");

        // The server is fine, and the page logged no script errors (the refused upload's 415 aside).
        Assert.Equal("ok", (await studio.GetJsonAsync("/api/health")).GetProperty("status").GetString());
        Assert.DoesNotContain(browser.Errors, e => !e.Contains("415") && !e.Contains("status of 4"));
        output.WriteLine($"browser test took {clock.Elapsed.TotalSeconds:0.0} s; screenshots in {HeadlessChromium.ScreenshotDirectory}");
    }
}
