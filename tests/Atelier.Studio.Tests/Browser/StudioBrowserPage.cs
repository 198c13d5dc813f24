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

    StudioBrowserPage(IPlaywright playwright, IBrowser browser, IPage page, ITestOutputHelper output)
    {
        _playwright = playwright;
        _browser = browser;
        _output = output;
        Page = page;
    }

    public IPage Page { get; }

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
            var opened = new StudioBrowserPage(playwright, browser, page, output);
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
    }
}
