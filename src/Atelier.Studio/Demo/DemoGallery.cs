using System.Diagnostics;
using System.Net;
using System.Text;
using Atelier.Imaging;
using Atelier.IO;
using Atelier.Runtime;

namespace Atelier.Studio.Demo;

/// <summary>One picture of the gallery.</summary>
public sealed record DemoPicture(string File, string Caption, Image Image);

/// <summary>A gallery section: a method's results, or why it could not run and how to get it.</summary>
public sealed record DemoSection(string Title, string About, IReadOnlyList<DemoPicture> Pictures, string? Missing = null, double Seconds = 0);

/// <summary>What a demo step gets: the seed, the cache for models made on first run, progress and cancellation.</summary>
public sealed class DemoContext(int seed, string cacheDirectory, bool quick, IProgress<ProgressReport> progress, CancellationToken ct)
{
    public int Seed { get; } = seed;
    /// <summary>Smaller sizes and fewer iterations: a smoke run for tests and CI (the pictures are worse).</summary>
    public bool Quick { get; } = quick;
    /// <summary>Where models trained or generated on first run are kept (reused by later runs and by the studio).</summary>
    public string CacheDirectory { get; } = cacheDirectory;
    public IProgress<ProgressReport> Progress { get; } = progress;
    public CancellationToken CancellationToken { get; } = ct;
}

/// <summary>
/// `atelier demo`: runs Atelier's methods on built-in material (nothing downloaded) and writes a gallery
/// (index.html + PNGs). Each step is small enough for a 2-core machine; each says how to get better results.
/// </summary>
public static class DemoGallery
{
    /// <summary>A demo step: its title, and the work that makes its section.</summary>
    public sealed record Step(string Title, Func<DemoContext, DemoSection> Run);

    /// <summary>The steps this build offers, in gallery order.</summary>
    public static IReadOnlyList<Step> Steps() => DemoSteps.All();

    /// <summary>Runs every step and writes the gallery; returns the sections (for the CLI's summary).</summary>
    public static IReadOnlyList<DemoSection> Write(string outputDirectory, int seed, string cacheDirectory, bool quick = false,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        progress ??= new Progress<ProgressReport>();
        var steps = Steps();
        var sections = new List<DemoSection>();
        for (int i = 0; i < steps.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            progress.Report(new ProgressReport(i, steps.Count, steps[i].Title));
            var clock = Stopwatch.StartNew();
            DemoSection section;
            try { section = steps[i].Run(new DemoContext(seed, cacheDirectory, quick, new StepProgress(progress, i, steps.Count, steps[i].Title), ct)); }
            catch (AtelierException e) { section = new DemoSection(steps[i].Title, "", [], "This step failed: " + Methods.FieldSpelling.None.Message(e)); }
            sections.Add(section with { Seconds = clock.Elapsed.TotalSeconds });
        }
        progress.Report(new ProgressReport(steps.Count, steps.Count, "writing the gallery"));
        Directory.CreateDirectory(outputDirectory);
        foreach (var s in sections)
            foreach (var p in s.Pictures)
                AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, p.File), StudioImages.EncodePng(p.Image));
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, "index.html"), Html(sections, seed, quick));
        return sections;
    }

    static string Html(IReadOnlyList<DemoSection> sections, int seed, bool quick)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Atelier demo</title>
            <style>
            body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
            h1{margin-bottom:.2rem} section{border-top:1px solid #ddd;padding:1rem 0}
            figure{display:inline-block;margin:.5rem 1rem .5rem 0;vertical-align:top;text-align:center}
            figure img{image-rendering:pixelated;border:1px solid #ccc;width:auto;min-width:128px;max-width:320px}
            figcaption{font-size:13px;color:#555;max-width:320px} .missing{background:#fff6e0;border-left:4px solid #e0a800;padding:.5rem 1rem}
            code{background:#f3f3f3;padding:0 .3em}
            </style></head><body>
            <h1>Atelier demo</h1>
            """);
        sb.Append($"<p>Made by <code>atelier demo</code> on built-in material (nothing downloaded), seed {seed}. ");
        sb.Append("Pictures are small so the demo runs in minutes on two cores; the notes under each section say how to get better results.</p>\n");
        if (quick) sb.Append("<p class=\"missing\">This is a <code>--quick</code> run (tiny sizes, few iterations): run <code>atelier demo</code> without it for the real gallery.</p>\n");
        foreach (var s in sections)
        {
            sb.Append($"<section><h2>{E(s.Title)}</h2>\n");
            if (s.About.Length > 0) sb.Append($"<p>{E(s.About)}</p>\n");
            foreach (var p in s.Pictures)
                sb.Append($"<figure><img src=\"{E(p.File)}\" alt=\"{E(p.Caption)}\" width=\"{Math.Max(128, p.Image.Width * 2)}\"><figcaption>{E(p.Caption)} ({p.Image.Width}x{p.Image.Height})</figcaption></figure>\n");
            if (s.Missing != null) sb.Append($"<p class=\"missing\">{E(s.Missing)}</p>\n");
            if (s.Seconds > 0) sb.Append($"<p><small>{s.Seconds:0.0} s</small></p>\n");
            sb.Append("</section>\n");
        }
        sb.Append("<p>Try the same methods interactively with <code>atelier studio</code>.</p></body></html>\n");
        return sb.ToString();
    }

    /// <summary>Maps a step's own progress into the overall bar.</summary>
    sealed class StepProgress(IProgress<ProgressReport> outer, int index, int count, string title) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport r) =>
            outer.Report(new ProgressReport((long)((index + r.Fraction) * 1000), count * 1000L,
                string.IsNullOrEmpty(r.Stage) ? title : $"{title}: {r.Stage}", r.Metrics));
    }
}
