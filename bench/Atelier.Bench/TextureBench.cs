using System.Diagnostics;
using System.Globalization;
using System.Text;
using Atelier.Imaging;
using Atelier.Texture;

namespace Atelier.Bench;

/// <summary>
/// Texture synthesis speed and quality:
/// exact Efros-Leung, 64x64 sample -> 128x128, window 11;
/// scanline multi-resolution (3 levels, window 7) and quilting (block 32), 128x128 sample -> 512x512;
/// each against the straightforward single-threaded scalar reference search (SearchEngine.Reference) with the
/// same driver and seed, which must give the same image bit for bit. The scanline reference is run on a smaller
/// output (it would take many minutes at 512x512) and the speed-up is measured there, on identical work.
/// Options: --quick (quarter sizes), --no-reference, --out FILE.md (also write the table), --images DIR (save outputs).
/// </summary>
public static class TextureBench
{
    sealed record Row(string Case, string Engine, (double Wall, double Cpu) Seconds, string Size, TextureSimilarity? Metrics, string Note);

    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick");
        bool reference = !args.Contains("--no-reference");
        string? outFile = ArgValue(args, "--out");
        string? imagesDir = ArgValue(args, "--images");
        string only = ArgValue(args, "--only") ?? "all";
        int div = quick ? 4 : 1;

        var (big, small, origin) = Samples(128 / div, 64 / div);
        Console.WriteLine($"texture benchmark on {Environment.ProcessorCount} cores ({(quick ? "quick" : "full")} sizes); sample: {origin}");
        var rows = new List<Row>();
        Warmup(small);

        if (only is "all" or "efros-leung")
        {
            int o = 128 / div, w = quick ? 7 : 11;
            var opt = new EfrosLeungOptions { Window = w };
            var (fast, tf) = Time(() => EfrosLeung.Synthesize(small, o, o, opt, new Random(1)));
            rows.Add(new Row($"Efros-Leung exact, {small.Width}² -> {o}², w={w}", "fast", tf, $"{o}x{o}", Metrics(fast, small), ""));
            Save(imagesDir, "efros-leung.png", fast);
            if (reference)
            {
                var (refImg, tr) = Time(() => EfrosLeung.Synthesize(small, o, o, opt with { Engine = SearchEngine.Reference }, new Random(1)));
                rows.Add(new Row(rows[^1].Case, "reference", tr, $"{o}x{o}", null, Same(fast, refImg) + ", " + SpeedUp(tr, tf)));
            }
            var (approx, ta) = Time(() => EfrosLeung.Synthesize(small, o, o, opt with { Approximate = true }, new Random(1)));
            rows.Add(new Row(rows[0].Case, "approximate", ta, $"{o}x{o}", Metrics(approx, small), "coherence candidates, not exact"));
            Print(rows);
        }
        if (only is "all" or "scanline")
        {
            int o = 512 / div;
            var opt = new ScanlineOptions { Window = 7, Levels = 3 };
            string name = $"Scanline 3 levels, {big.Width}² -> {o}², w=7";
            var (fast, tf) = Time(() => Scanline.Synthesize(big, o, o, opt, new Random(2)));
            rows.Add(new Row(name, "fast", tf, $"{o}x{o}", Metrics(fast, big), ""));
            Save(imagesDir, "scanline.png", fast);
            if (reference)
            {
                int r = o / 4;
                var (fastSmall, tfs) = Time(() => Scanline.Synthesize(big, r, r, opt, new Random(2)));
                var (refImg, tr) = Time(() => Scanline.Synthesize(big, r, r, opt with { Engine = SearchEngine.Reference }, new Random(2)));
                rows.Add(new Row(name.Replace($"{o}²", $"{r}²"), "fast", tfs, $"{r}x{r}", null, ""));
                rows.Add(new Row(name.Replace($"{o}²", $"{r}²"), "reference", tr, $"{r}x{r}", null, Same(fastSmall, refImg) + ", " + SpeedUp(tr, tfs)));
            }
            var (approx, ta) = Time(() => Scanline.Synthesize(big, o, o, opt with { Approximate = true }, new Random(2)));
            rows.Add(new Row(name, "approximate", ta, $"{o}x{o}", Metrics(approx, big), "coherence candidates, not exact"));
            Print(rows);
        }
        if (only is "all" or "quilting")
        {
            int o = 512 / div, b = 32 / div;
            var opt = new QuiltingOptions { Block = b };
            string name = $"Quilting, {big.Width}² -> {o}², B={b}, O={Math.Max(1, b / 6)}";
            var (fast, tf) = Time(() => Quilting.Synthesize(big, o, o, opt, new Random(3)));
            rows.Add(new Row(name, "fast", tf, $"{o}x{o}", Metrics(fast, big), ""));
            Save(imagesDir, "quilting.png", fast);
            if (reference)
            {
                var (refImg, tr) = Time(() => Quilting.Synthesize(big, o, o, opt with { Engine = SearchEngine.Reference }, new Random(3)));
                rows.Add(new Row(name, "reference", tr, $"{o}x{o}", null, Same(fast, refImg) + ", " + SpeedUp(tr, tf)));
            }
            Print(rows);
        }
        // Baseline for the quality figures: noise has the sample's pixels but none of its structure.
        var noise = new Image(128 / div, 128 / div, big.Channels);
        var rng = new Random(9);
        for (int i = 0; i < noise.PlaneSize; i++)
        {
            int s = rng.Next(big.PlaneSize);
            for (int c = 0; c < big.Channels; c++) noise.Data[c * noise.PlaneSize + i] = big.Data[c * big.PlaneSize + s];
        }
        rows.Add(new Row("baseline: shuffled sample pixels", "-", (0, 0), $"{noise.Width}x{noise.Height}", Metrics(noise, big), "quality reference"));
        var table = Print(rows);
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        if (outFile != null)
            File.WriteAllText(outFile, $"Texture benchmark, {Environment.ProcessorCount} cores (load average {load} at the end), sample: {origin}\n\n{table}");
        return 0;
    }

    /// <summary>Runs every code path once on tiny sizes so the timings exclude JIT compilation.</summary>
    static void Warmup(Image sample)
    {
        var s = ImageResize.Resize(sample, 16, 16);
        foreach (var engine in new[] { SearchEngine.Fast, SearchEngine.Reference })
        {
            EfrosLeung.Synthesize(s, 12, 12, new EfrosLeungOptions { Window = 5, Engine = engine }, new Random(0));
            Scanline.Synthesize(s, 12, 12, new ScanlineOptions { Window = 5, Levels = 2, Engine = engine }, new Random(0));
            Quilting.Synthesize(s, 20, 20, new QuiltingOptions { Block = 6, Engine = engine }, new Random(0));
        }
        EfrosLeung.Synthesize(s, 12, 12, new EfrosLeungOptions { Window = 5, Approximate = true }, new Random(0));
        Scanline.Synthesize(s, 12, 12, new ScanlineOptions { Window = 5, Levels = 2, Approximate = true }, new Random(0));
        TextureMetrics.Compare(s, s, 5);
    }

    static string Same(Image a, Image b) => a.Data.AsSpan().SequenceEqual(b.Data) ? "identical output" : "OUTPUTS DIFFER";

    /// <summary>Wall-clock and process CPU seconds (on a shared machine CPU time is the steadier figure).</summary>
    static (T, (double Wall, double Cpu)) Time<T>(Func<T> f)
    {
        var p = Process.GetCurrentProcess();
        var cpu0 = p.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var r = f();
        double wall = sw.Elapsed.TotalSeconds;
        p.Refresh();
        return (r, (wall, (p.TotalProcessorTime - cpu0).TotalSeconds));
    }

    static string SpeedUp((double Wall, double Cpu) reference, (double Wall, double Cpu) fast) =>
        string.Create(CultureInfo.InvariantCulture, $"speed-up {reference.Wall / fast.Wall:0.0}x wall, {reference.Cpu / fast.Cpu:0.0}x CPU");

    static TextureSimilarity Metrics(Image output, Image sample)
    {
        int patch = 7;
        long patches = (long)(output.Width - patch + 1) * (output.Height - patch + 1);
        int stride = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(patches / 3000.0)));
        return TextureMetrics.Compare(output, sample, patch, stride);
    }

    static string Print(List<Row> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| case | engine | wall s | CPU s | output | coherence (RMS, 7x7) | coverage | note |");
        sb.AppendLine("|---|---|---:|---:|---|---:|---:|---|");
        foreach (var r in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Case} | {r.Engine} | {r.Seconds.Wall:0.00} | {r.Seconds.Cpu:0.00} | {r.Size} | {(r.Metrics is { } m ? m.Coherence.ToString("0.0000", CultureInfo.InvariantCulture) : "")} | {(r.Metrics is { } m2 ? m2.Coverage.ToString("P1", CultureInfo.InvariantCulture) : "")} | {r.Note} |"));
        Console.WriteLine(sb.ToString());
        return sb.ToString();
    }

    static void Save(string? dir, string name, Image image)
    {
        if (dir == null) return;
        Directory.CreateDirectory(dir);
        ImageIO.Save(image, Path.Combine(dir, name));
    }

    static string? ArgValue(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>A crop of ../shared/images/style/mosaic.jpg when present (ATELIER_SHARED honoured), else a procedural texture.</summary>
    static (Image Big, Image Small, string Origin) Samples(int bigSize, int smallSize)
    {
        string? shared = Environment.GetEnvironmentVariable("ATELIER_SHARED");
        if (string.IsNullOrEmpty(shared) || !Directory.Exists(shared))
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Atelier.sln"))) { shared = Path.Combine(d.FullName, "..", "shared"); break; }
        }
        var path = shared == null ? null : Path.Combine(shared, "images", "style", "mosaic.jpg");
        if (path != null && File.Exists(path))
        {
            var img = ImageIO.Load(path);
            var crop = ImageOps.Crop(img, 100, 100, 128, 128);
            var big = bigSize == 128 ? crop : ImageResize.Resize(crop, bigSize, bigSize);
            return (big, ImageResize.Resize(crop, smallSize, smallSize), "mosaic.jpg crop (100,100)+128x128");
        }
        var p = new Image(bigSize, bigSize, 3);
        var rng = new Random(4);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < bigSize; y++)
                for (int x = 0; x < bigSize; x++)
                    p[c, y, x] = (float)Math.Clamp(0.5 + 0.35 * Math.Sin(0.4 * x + c) * Math.Cos(0.3 * y + 0.7 * c) + 0.1 * (rng.NextDouble() - 0.5), 0, 1);
        return (p, ImageResize.Resize(p, smallSize, smallSize), "procedural (../shared absent)");
    }
}
