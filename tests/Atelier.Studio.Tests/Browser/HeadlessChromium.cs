using Microsoft.Playwright;

namespace Atelier.Studio.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright's .NET driver (which ships its own node). Playwright's browser download
/// is never used: the system browser is named by path. Tests skip when no Chromium is installed.
/// </summary>
public static class HeadlessChromium
{
    static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage",
    ];

    /// <summary>$ATELIER_CHROMIUM, /usr/bin/chromium or chromium on PATH; null when none.</summary>
    public static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("ATELIER_CHROMIUM");
        if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" })
            if (File.Exists(candidate)) return candidate;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = Path.Combine(dir, "chromium");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    public const string Missing = "Chromium not found (install Debian's chromium: apt-get install chromium; .ci/setup does it in CI, or set ATELIER_CHROMIUM)";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, string executable) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = Args,
            Timeout = 30_000,
        });

    /// <summary>Where screenshots go: beside the test assembly (the test output).</summary>
    public static string ScreenshotDirectory
    {
        get
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}
