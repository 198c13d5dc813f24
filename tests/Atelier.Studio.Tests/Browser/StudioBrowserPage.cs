using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Atelier.Studio.Tests.Browser;

/// <summary>
/// One browser test's headless Chromium page on a running studio, loaded and ready (<c>body[data-ready='1']</c>), with
/// the page's script errors collected; disposing it closes the browser. Screenshots go to
/// <see cref="HeadlessChromium.ScreenshotDirectory"/> and are logged with the time since the page was opened.
/// </summary>
sealed class StudioBrowserPage : IAsyncDisposable
{
    readonly IPlaywright _playwright;
    readonly IBrowser _browser;
    readonly ITestOutputHelper _output;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    bool _ownsStudio;

    StudioBrowserPage(IPlaywright playwright, IBrowser browser, IPage page, StudioHarness studio, ITestOutputHelper output)
    {
        _playwright = playwright;
        _browser = browser;
        _output = output;
        Page = page;
        Studio = studio;
    }

    public IPage Page { get; }

    /// <summary>The studio the page was opened on.</summary>
    public StudioHarness Studio { get; }

    /// <summary>Uncaught script errors, and console errors too when opened with <c>consoleErrors</c>.</summary>
    public List<string> Errors { get; } = [];

    public static async Task<StudioBrowserPage> OpenAsync(StudioHarness studio, string chromium, ITestOutputHelper output,
        float timeoutMs, bool consoleErrors = false)
    {
        var playwright = await Playwright.CreateAsync();
        IBrowser? browser = null;
        try
        {
            browser = await HeadlessChromium.LaunchAsync(playwright, chromium);
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
            page.SetDefaultTimeout(timeoutMs);
            var opened = new StudioBrowserPage(playwright, browser, page, studio, output);
            if (consoleErrors) page.Console += (_, m) => { if (m.Type == "error") opened.Errors.Add(m.Text); };
            page.PageError += (_, e) => opened.Errors.Add(e);
            await page.GotoAsync(studio.BaseAddress.ToString());
            await page.WaitForSelectorAsync("body[data-ready='1']");
            return opened;
        }
        catch
        {
            if (browser is not null) await browser.DisposeAsync();
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A studio as a new user opens it (no models folder, only the models Atelier ships) and a page on it; disposing
    /// the page stops that studio too. Skips the test where no Chromium is installed.
    /// </summary>
    public static async Task<StudioBrowserPage> OpenOnShippedModelsAsync(ITestOutputHelper output)
    {
        var chromium = HeadlessChromium.Find();
        Skip.If(chromium == null, HeadlessChromium.Missing);
        var studio = await StudioHarness.StartAsync(o => o.ShippedModels = true);
        try
        {
            var opened = await OpenAsync(studio, chromium!, output, 20_000);
            opened._ownsStudio = true;
            return opened;
        }
        catch
        {
            await studio.DisposeAsync();
            throw;
        }
    }

    /// <summary>A full-page screenshot named <paramref name="name"/>, logged with the time since opening.</summary>
    public async Task ShotAsync(string name)
    {
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HeadlessChromium.ScreenshotDirectory, name), FullPage = true });
        _output.WriteLine($"{_clock.Elapsed.TotalSeconds:0.0} s: {name}");
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        if (_ownsStudio) await Studio.DisposeAsync();
    }
}
