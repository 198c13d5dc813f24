using System.Diagnostics;
using System.Text.Json;
using Atelier.Imaging;
using Microsoft.Playwright;

namespace Atelier.Studio.Tests.Browser;

/// <summary>
/// The model panels in headless Chromium on tiny random-weight checkpoints made here (see <see cref="TinyModels"/>):
/// draw a sketch and translate it (Pix2Pix), translate an upload (CycleGAN), fast style, and AdaIN on the built-in
/// encoder with its live alpha slider and a second, weighted style. Random weights make no art, so the checks are
/// of the plumbing: a result of the right size that is neither flat nor the input, and the slider's value in the job.
/// </summary>
public class ModelPageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Pix2Pix_CycleGan_fast_style_and_AdaIN_run_in_the_page()
    {
        var chromium = HeadlessChromium.Find();
        Skip.If(chromium == null, HeadlessChromium.Missing);
        var clock = Stopwatch.StartNew();
        using var dir = TestPaths.NewTempDir();
        var models = Directory.CreateDirectory(dir.File("models")).FullName;
        TinyModels.SavePix2Pix(Path.Combine(models, "edges2tiny.safetensors"));
        TinyModels.SaveCycleGan(Path.Combine(models, "tiny2zebra.safetensors"));
        TinyModels.SaveFastStyle(Path.Combine(models, "candy-tiny.safetensors"));
        TinyModels.SaveAdaInDecoder(Path.Combine(models, "decoder-tiny.safetensors"));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: models written");

        await using var studio = await StudioHarness.StartAsync(o => o.ModelsDirectory = models);
        await using var browser = await StudioBrowserPage.OpenAsync(studio, chromium!, output, 20_000);
        var page = browser.Page;
        // The models table shows each file with the recogniser's architecture.
        var table = await page.InnerTextAsync("#models");
        Assert.Contains("junyanz U-Net (5 downsamplings)", table);
        Assert.Contains("junyanz ResNet generator (2 blocks", table);

        // 1. Pix2Pix: draw two strokes on the sketch canvas and translate the drawing.
        await page.ClickAsync("#tab-pix2pix");
        Assert.Contains("edges2tiny.safetensors", await page.InnerTextAsync("#panel-pix2pix select[data-param='model']"));
        var sketch = page.Locator("#panel-pix2pix canvas[data-sketch='sketch']");
        await Draw(page, sketch, (0.2f, 0.2f), (0.8f, 0.7f));
        await Draw(page, sketch, (0.3f, 0.8f), (0.7f, 0.3f));
        var pix = await RunAsync(studio, page, "pix2pix");
        // The canvas starts as the sketch of the shipped clock photo when the pix2pix generator ships (a white square without it).
        var canvas = await sketch.EvaluateAsync<int[]>("c => [c.width, c.height]");
        Assert.Equal((canvas[0], canvas[1]), (pix.Image.Width, pix.Image.Height));
        AssertNotFlat(pix.Image, "pix2pix");
        Assert.Equal("unet_32", pix.Info.GetProperty("generator").GetString());
        await browser.ShotAsync("model-0-pix2pix.png");

        // 2. CycleGAN: an uploaded picture (not square, not a multiple of 4) comes back at its size, changed.
        await page.ClickAsync("#tab-cyclegan");
        var upload = TinyModels.Picture(50, 34, 1);
        await Upload(page, "#panel-cyclegan", "image", upload, "horse.png");
        var cycle = await RunAsync(studio, page, "cyclegan");
        Assert.Equal((50, 34), (cycle.Image.Width, cycle.Image.Height));
        AssertNotFlat(cycle.Image, "cyclegan");
        AssertDiffers(StudioImages.DecodeRgb(upload), cycle.Image, "cyclegan");
        await browser.ShotAsync("model-1-cyclegan.png");

        // 3. Fast style on the shipped clock photo (256 px on its shorter side), the panel's default.
        await page.ClickAsync("#tab-faststyle");
        await page.CheckAsync("#panel-faststyle input[type='radio'][value='fast-style.stylize']");
        var fast = await RunAsync(studio, page, "faststyle");
        var clockPhoto = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync("/api/samples/clock.png?size=256"));
        Assert.Equal(256, Math.Min(clockPhoto.Width, clockPhoto.Height));
        Assert.Equal((clockPhoto.Width, clockPhoto.Height), (fast.Image.Width, fast.Image.Height));
        AssertNotFlat(fast.Image, "fast style");
        AssertDiffers(clockPhoto, fast.Image, "fast style");
        await browser.ShotAsync("model-2-faststyle.png");

        // 4. AdaIN with the built-in encoder (no VGG file in the folder) on small uploads; then the live alpha slider.
        await page.CheckAsync("#panel-faststyle input[type='radio'][value='adain.stylize']");
        var adain = "#panel-faststyle [data-method='adain.stylize'] ";
        Assert.Equal("builtin", await page.InputValueAsync(adain + "select[data-param='vgg']"));
        var content = TinyModels.Picture(40, 32, 2);
        await Upload(page, adain, "content", content, "content.png");
        await Upload(page, adain, "style", TinyModels.Noise(32, 32, 3), "style.png");
        var full = await RunAsync(studio, page, "faststyle");
        Assert.Equal((40, 32), (full.Image.Width, full.Image.Height));
        AssertNotFlat(full.Image, "adain");
        Assert.Equal(1.0, full.Info.GetProperty("alpha").GetDouble());
        Assert.Equal("builtin", full.Info.GetProperty("encoder").GetString());
        var slid = await Slide(studio, page, "faststyle", adain + "input[data-param='alpha']", "ArrowLeft");
        Assert.Equal(0.95, slid.Info.GetProperty("alpha").GetDouble(), 3);
        AssertDiffers(full.Image, slid.Image, "adain alpha 0.95 vs 1");
        await browser.ShotAsync("model-3-adain-alpha.png");

        // A second style, weighted by its slider (live too), with the content's colours kept.
        await Upload(page, adain, "style2", TinyModels.Picture(32, 32, 4), "style2.png");
        await page.CheckAsync(adain + "input[data-param='preserveColor']");
        var mixed = await Slide(studio, page, "faststyle", adain + "input[data-param='weight2']", "ArrowRight");
        Assert.Equal(2, mixed.Info.GetProperty("styles").GetInt32());
        Assert.Equal(0.55, mixed.Info.GetProperty("weight2").GetDouble(), 3);
        AssertDiffers(slid.Image, mixed.Image, "adain with a second style");
        await browser.ShotAsync("model-4-adain-two-styles.png");

        Assert.Empty(browser.Errors);
        output.WriteLine($"model panels browser test took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>A pen stroke across a canvas, between two points given as fractions of its box.</summary>
    internal static async Task Draw(IPage page, ILocator canvas, (float X, float Y) from, (float X, float Y) to)
    {
        var box = (await canvas.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width * from.X, box.Y + box.Height * from.Y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * to.X, box.Y + box.Height * to.Y, new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();
    }

    /// <summary>Chooses "upload a file..." for an image input and gives it a PNG, as a user picking a file does.</summary>
    static async Task Upload(IPage page, string scope, string param, byte[] png, string name)
    {
        await page.SelectOptionAsync($"{scope} select[data-source='{param}']", "__upload");
        await page.SetInputFilesAsync($"{scope} input[data-upload='{param}']", new FilePayload { Name = name, MimeType = "image/png", Buffer = png });
    }

    /// <summary>Clicks the panel's Run and waits for a new job to succeed; its result picture and info.</summary>
    internal static async Task<(Image Image, JsonElement Info)> RunAsync(StudioHarness studio, IPage page, string panel)
    {
        var before = await page.GetAttributeAsync($"#panel-{panel}", "data-job");
        await page.ClickAsync($"#panel-{panel} button.run");
        return await NewResultAsync(studio, page, panel, before);
    }

    /// <summary>Moves a live slider one step with the keyboard (it re-runs on its own) and waits for that job.</summary>
    internal static async Task<(Image Image, JsonElement Info)> Slide(StudioHarness studio, IPage page, string panel, string slider, string key)
    {
        var before = await page.GetAttributeAsync($"#panel-{panel}", "data-job");
        var input = page.Locator(slider);
        await input.FocusAsync();
        await input.PressAsync(key);
        return await NewResultAsync(studio, page, panel, before);
    }

    static async Task<(Image Image, JsonElement Info)> NewResultAsync(StudioHarness studio, IPage page, string panel, string? before)
    {
        // The shown result must be the new job's: its picture loaded and the panel's job changed.
        await page.WaitForFunctionAsync(
            "([panel, prev]) => { const p = document.querySelector('#panel-' + panel); const i = p.querySelector('img.result'); " +
            "if (['failed', 'cancelled', 'timedout'].includes(p.dataset.state)) return true; " +
            "return p.dataset.job && p.dataset.job !== prev && p.dataset.state === 'succeeded' && i.complete && i.naturalWidth > 0 && i.src.includes(p.dataset.job); }",
            new object?[] { panel, before }, new PageWaitForFunctionOptions { Timeout = 60_000 });
        var job = await page.GetAttributeAsync($"#panel-{panel}", "data-job");
        var snap = await studio.GetJsonAsync($"/api/jobs/{job}");
        Assert.True(snap.GetProperty("state").GetString() == "succeeded",
            $"{panel}: {snap} (page says: {await page.InnerTextAsync($"#panel-{panel} .error")})");
        var image = StudioImages.DecodeRgb(await studio.Http.GetByteArrayAsync(snap.GetProperty("resultUrl").GetString()));
        return (image, snap.TryGetProperty("info", out var info) ? info : default); // methods without info send none
    }

    /// <summary>Not one colour: a random network still gives a picture with variation.</summary>
    internal static void AssertNotFlat(Image img, string what)
    {
        float min = img.Data.Min(), max = img.Data.Max();
        Assert.True(max - min > 2 / 255f, $"{what}: the result is flat ({min * 255:0}..{max * 255:0})");
    }

    internal static void AssertDiffers(Image a, Image b, string what)
    {
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        double mean = a.Data.Zip(b.Data, (x, y) => Math.Abs(x - y)).Average();
        Assert.True(mean > 0.5 / 255, $"{what}: the pictures are the same (mean difference {mean * 255:0.000}/255)");
    }
}
