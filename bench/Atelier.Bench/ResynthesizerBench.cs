using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Atelier.Imaging;
using Atelier.Quality;
using Atelier.Texture;
using Atelier.Texture.Optimization;
using OpenCvSharp;

namespace Atelier.Bench;

/// <summary>
/// Atelier's texture engines side by side with Resynthesizer (GIMP's "heal selection" engine), issue #21:
/// <list type="bullet">
/// <item>synthesis: 256² and 512² from three 128² samples (regular bricks, stochastic brush strokes, structured
/// mosaic): time, coherence, coverage and repetition (TextureMetrics, 5x5 patches, every second output patch), for
/// texture optimisation, quilting and Resynthesizer (engine defaults: 30 neighbours, 200 tries, no context);</item>
/// <item>completion: squares and free-form strokes covering 5-25 % of 256² photos (the shipped ones, and
/// ../shared/images/content when present), filled by Efros-Leung (the old `texture fill`), texture optimisation,
/// OpenCV's Telea inpainting and Resynthesizer healing as GIMP's plug-in does (a 50 px ring, 16 neighbours, 500 tries,
/// random order); scored against the removed pixels: PSNR in the hole, SSIM and the ResNet-18 feature distance over
/// the picture.</item>
/// </list>
/// Resynthesizer is run as a process (its engine time and the whole process's are both reported); without it
/// (bench/resynthesizer/build.sh not run) its columns say so and the rest still runs.
/// Options: --only synthesis|completion, --driver PATH, --threads N (Atelier's engines), --quick (fewer cases),
/// --images DIR (outputs and montages), --out FILE.md (the tables).
/// </summary>
public static class ResynthesizerBench
{
    public static int Run(string[] args)
    {
        string only = Arg(args, "--only") ?? "all";
        bool quick = args.Contains("--quick");
        int threads = int.Parse(Arg(args, "--threads") ?? "0", CultureInfo.InvariantCulture);
        string? images = Arg(args, "--images"), outFile = Arg(args, "--out");
        var resynth = Resynthesizer.Find(Arg(args, "--driver"));
        var report = new StringBuilder();
        Console.WriteLine($"texture engines against Resynthesizer on {Environment.ProcessorCount} cores, load {BenchSupport.LoadAverage()}; " +
            (resynth is null ? "Resynthesizer not built (bench/resynthesizer/build.sh PATH/TO/resynthesizer): its columns are skipped" : $"driver {resynth.Driver}"));
        if (images != null) Directory.CreateDirectory(images);
        if (only is "all" or "synthesis") report.Append(Synthesis(resynth, threads, quick, images));
        if (only is "all" or "completion") report.Append(Completion(resynth, threads, quick, images));
        if (outFile != null) File.WriteAllText(outFile, report.ToString());
        return 0;
    }

    // ---- synthesis ----

    static string Synthesis(Resynthesizer? resynth, int threads, bool quick, string? images)
    {
        string root = BenchSupport.FindRepoRoot();
        var samples = new List<(string Name, Image Sample)>
        {
            ("bricks (regular)", ProceduralSamples.Bricks(128, 128, 1)),
            ("brush strokes (stochastic)", ImageIO.Load(Path.Combine(root, "docs/images/texture/brush-texture-128.png"))),
            ("mosaic (structured)", ImageIO.Load(Path.Combine(root, "docs/images/texture/mosaic-sample-128.png"))),
        };
        int[] sizes = quick ? [256] : [256, 512];
        var opt = new TextureOptimizationOptions { MaxThreads = threads };
        TextureOptimization.Synthesize(ImageOps.Crop(samples[0].Sample, 0, 0, 48, 48), 64, 64, opt, new Random(0)); // JIT warm-up
        var sb = new StringBuilder();
        sb.AppendLine("| sample | output | method | time s | coherence | coverage | repetition | ratio to Resynthesizer |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var (name, sample) in samples)
            foreach (int size in sizes)
            {
                var cells = new List<(Image, string?)> { (sample, $"{name} sample") };
                double? rsTime = null;
                if (resynth != null)
                {
                    // One canvas: the output area on the left, the sample beside it as the only corpus.
                    int W = size + sample.Width, H = Math.Max(size, sample.Height);
                    var canvas = new Image(W, H, 3);
                    var target = new bool[W * H];
                    var corpus = new bool[W * H];
                    for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) target[y * W + x] = true;
                    for (int c = 0; c < 3; c++)
                        for (int y = 0; y < sample.Height; y++)
                            for (int x = 0; x < sample.Width; x++)
                            {
                                canvas.Data[c * W * H + y * W + size + x] = sample.Data[c * sample.PlaneSize + y * sample.Width + x];
                                corpus[y * W + size + x] = true;
                            }
                    var r = resynth.Run(canvas, target, corpus, "--context 0");
                    var output = ImageOps.Crop(r.Image, 0, 0, size, size);
                    rsTime = r.EngineSeconds;
                    sb.AppendLine(SynthesisRow(name, size, $"Resynthesizer (engine; process {r.ProcessSeconds:0.00} s)", r.EngineSeconds, output, sample, null));
                    cells.Add((output, $"Resynthesizer {r.EngineSeconds:0.00} s"));
                }
                var (optimised, to) = Time(() => TextureOptimization.Synthesize(sample, size, size, opt, new Random(1)));
                sb.AppendLine(SynthesisRow(name, size, "Atelier texture optimisation", to, optimised, sample, rsTime));
                cells.Add((optimised, $"optimise {to:0.00} s"));
                var (quilted, tq) = Time(() => Quilting.Synthesize(sample, size, size, new QuiltingOptions { Block = 32 }, new Random(1)));
                sb.AppendLine(SynthesisRow(name, size, "Atelier quilting (B 32)", tq, quilted, sample, rsTime));
                cells.Add((quilted, $"quilting {tq:0.00} s"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}, {size}²: done"));
                if (images != null)
                    ContactSheet.Save(Path.Combine(images, $"synthesis-{name.Split(' ')[0]}-{size}.png"), cells, cells.Count);
            }
        Console.WriteLine();
        Console.WriteLine(sb.ToString());
        return "## Synthesis\n\n" + sb + "\n";
    }

    static string SynthesisRow(string name, int size, string method, double seconds, Image output, Image sample, double? resynthSeconds)
    {
        var m = TextureMetrics.Compare(output, sample, patch: 5, stride: 2);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {size}² | {method} | {seconds:0.00} | {m.Coherence:0.0000} | {m.Coverage:P0} | {m.Repetition:0.0} | {(resynthSeconds is { } r ? $"{seconds / r:0.00}x" : "")} |");
    }

    // ---- completion ----

    sealed record Case(string Name, Image Truth, bool[] Hole, string Kind, double Share);
    sealed record Score(string Method, string Kind, double Psnr, double Ssim, double Feature, double Seconds);

    static string Completion(Resynthesizer? resynth, int threads, bool quick, string? images)
    {
        var cases = Cases(quick);
        using var suite = MetricSuite.BuiltIn();
        var ssim = suite.PairMetrics.First(m => m.Key == "ssim");
        var feature = suite.PairMetrics.First(m => m.Key == "featureDistance");
        var methods = new List<(string Name, Func<Case, Image> Fill)>
        {
            ("OpenCV Telea", c => Telea(c.Truth, c.Hole)),
            ("Atelier Efros-Leung fill (old default)", c => HoleFilling.Fill(c.Truth, c.Hole, new EfrosLeungOptions(), new Random(1))),
            ("Atelier texture optimisation", c => TextureOptimization.Complete(c.Truth, c.Hole, null, new TextureOptimizationOptions { MaxThreads = threads }, new Random(1))),
        };
        if (resynth != null)
            methods.Add(("Resynthesizer heal", c => resynth.Run(c.Truth, c.Hole, HoleFilling.SamplingRing(c.Hole, c.Truth.Width, c.Truth.Height, 50), "--patch 16 --probes 500 --context 1").Image));
        // JIT warm-up on a small case.
        var warm = cases[0] with { Truth = ImageOps.Crop(cases[0].Truth, 0, 0, 64, 64), Hole = HeldOutHoles.Square(64, 64, 0.1, new Random(0)) };
        foreach (var (_, fill) in methods) fill(warm);

        var scores = new List<Score>();
        foreach (var c in cases)
        {
            var cells = new List<(Image, string?)> { (c.Truth, c.Name), (HeldOutHoles.Show(c.Truth, c.Hole), $"{c.Kind} {c.Share:P0}") };
            var line = new StringBuilder($"{c.Name,-28} {c.Kind,-7} {c.Share,4:P0}:");
            foreach (var (name, fill) in methods)
            {
                var (filled, t) = Time(() => fill(c));
                var s = new Score(name, c.Kind, HeldOutHoles.HolePsnr(filled, c.Truth, c.Hole), ssim.Compare(filled, c.Truth), feature.Compare(filled, c.Truth), t);
                scores.Add(s);
                line.Append(CultureInfo.InvariantCulture, $"  {Short(name)} {s.Psnr:0.0} dB {s.Feature:0.000} {s.Seconds:0.00} s");
                cells.Add((filled, string.Create(CultureInfo.InvariantCulture, $"{name.Replace("Atelier ", "")}: {s.Psnr:0.0} dB, {s.Feature:0.000}")));
            }
            Console.WriteLine(line);
            if (images != null) ContactSheet.Save(Path.Combine(images, $"completion-{c.Name}-{c.Kind}.png"), cells, cells.Count);
        }
        var sb = new StringBuilder();
        sb.AppendLine($"{cases.Count} holes in {cases.Select(c => c.Name.Split('-')[0]).Distinct().Count()} photos, 256²; PSNR over the hole's pixels, SSIM and feature distance (ResNet-18) over the picture; means");
        sb.AppendLine();
        sb.AppendLine("| method | holes | PSNR dB (higher better) | SSIM (higher better) | feature distance (lower better) | time s |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var kind in new[] { "all", "square", "strokes" })
            foreach (var (name, _) in methods)
            {
                var s = scores.Where(x => x.Method == name && (kind == "all" || x.Kind == kind)).ToList();
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {kind} | {s.Average(x => x.Psnr):0.00} | {s.Average(x => x.Ssim):0.0000} | {s.Average(x => x.Feature):0.0000} | {s.Average(x => x.Seconds):0.00} |"));
            }
        Console.WriteLine();
        Console.WriteLine(sb.ToString());
        return "## Completion\n\n" + sb + "\n";
    }

    /// <summary>Each photo at 256² with one square and one stroke hole, the shares cycling through 5-25 %.</summary>
    static List<Case> Cases(bool quick)
    {
        var photos = ShippedPictures.Photos.All().Select(p => (p.Name, Path: p.Path)).ToList();
        string shared = Path.Combine(BenchSupport.FindRepoRoot(), "..", "shared", "images", "content");
        if (Directory.Exists(shared))
            photos.AddRange(ImageIO.ImagesIn(shared).Select(f => (Path.GetFileNameWithoutExtension(f), f)));
        if (quick) photos = photos.Take(2).ToList();
        double[] shares = [0.05, 0.10, 0.15, 0.20, 0.25];
        var cases = new List<Case>();
        int k = 0;
        foreach (var (name, path) in photos)
        {
            var truth = ImageOps.CenterCrop(ImageResize.ResizeShorterSide(ImageOps.ToRgb(ImageIO.Load(path)), 256), 256, 256);
            var random = new Random(100 + k);
            double a = shares[k % shares.Length], b = shares[(k + 2) % shares.Length];
            cases.Add(new Case(name, truth, HeldOutHoles.Square(256, 256, a, random), "square", a));
            cases.Add(new Case(name, truth, HeldOutHoles.Strokes(256, 256, b, random), "strokes", b));
            k++;
        }
        return cases;
    }

    static string Short(string method) => method.Split(' ') switch { ["OpenCV", ..] => "Telea", [_, "Efros-Leung", ..] => "EL", [_, "texture", ..] => "optimise", _ => "Resynth" };

    static Image Telea(Image image, bool[] hole)
    {
        int w = image.Width, h = image.Height, n = w * h;
        var bgr = new byte[3 * n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) bgr[3 * i + 2 - c] = (byte)Math.Clamp(MathF.Round(image.Data[c * n + i] * 255), 0, 255);
        using var src = new Mat(h, w, MatType.CV_8UC3);
        Marshal.Copy(bgr, 0, src.Data, bgr.Length);
        using var mask = new Mat(h, w, MatType.CV_8UC1);
        Marshal.Copy(hole.Select(x => x ? (byte)255 : (byte)0).ToArray(), 0, mask.Data, n);
        using var dst = new Mat();
        Cv2.Inpaint(src, mask, dst, 3, InpaintTypes.Telea); // OpenCV's documented radius
        Marshal.Copy(dst.Data, bgr, 0, bgr.Length);
        var result = new Image(w, h, 3);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) result.Data[c * n + i] = bgr[3 * i + 2 - c] / 255f;
        return result;
    }

    static (T, double) Time<T>(Func<T> f)
    {
        var sw = Stopwatch.StartNew();
        var r = f();
        return (r, sw.Elapsed.TotalSeconds);
    }

    static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
