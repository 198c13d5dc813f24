using System.CommandLine;
using System.Globalization;
using System.Text;
using Atelier.Cli.Infrastructure;
using Atelier.Quality;

namespace Atelier.Cli.Commands;

/// <summary>
/// `atelier metrics A B`: the pair figures (L1, PSNR, SSIM, ResNet-18 feature distance, style distance) of two pictures,
/// or of two folders' pictures matched by name with their means; `atelier metrics --dist A B`: the set figures
/// (FD-ResNet18, KID-ResNet18) of two folders. B is the reference. See docs/metrics.md.
/// </summary>
public static class MetricsCommand
{
    public static Command Create()
    {
        var a = new Argument<string>("a") { Description = "A picture or a folder: what is judged (a model's outputs)" };
        var b = new Argument<string>("b") { Description = "A picture or a folder: the reference (targets; for --dist, the real pictures)" };
        var dist = new Option<bool>("--dist") { Description = "Compare the two folders as sets (FD-ResNet18, KID-ResNet18) instead of pairs matched by name" };
        var resize = new Option<bool>("--resize") { Description = "Resize each picture of A to its reference's size (bicubic) instead of refusing pictures of different sizes" };
        var subsets = new Option<int>("--kid-subsets") { Description = "KID: random subset pairs averaged (the standard error comes from their spread)", DefaultValueFactory = _ => 100 };
        var cmd = new Command("metrics", "Quality figures: PSNR, SSIM, ResNet-18 feature and style distances of pictures or folders matched by name; FD and KID of two folders with --dist")
            { a, b, dist, resize, subsets };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            string pathA = ctx.Get(a)!, pathB = ctx.Get(b)!;
            bool folders = Kind(pathA) == Kind(pathB) ? Kind(pathA) : throw new AtelierUsageException(
                $"{pathA} is a {(Kind(pathA) ? "folder" : "file")} and {pathB} a {(Kind(pathB) ? "folder" : "file")}: compare two pictures or two folders");
            if (ctx.Get(subsets) < 2) throw new AtelierUsageException($"--kid-subsets {ctx.Get(subsets)}: must be at least 2");
            if (ctx.Get(dist))
            {
                if (!folders) throw new AtelierUsageException($"--dist compares two folders as sets; {pathA} and {pathB} are files");
                return Sets(ctx, pathA, pathB, ctx.Get(subsets), ct);
            }
            return folders ? Folders(ctx, pathA, pathB, ctx.Get(resize), ct) : Pictures(ctx, pathA, pathB, ctx.Get(resize));
        });
        return cmd;
    }

    /// <summary>True for a folder, false for a file; a missing path is an error naming it.</summary>
    static bool Kind(string path) =>
        Directory.Exists(path) ? true : File.Exists(path) ? false : throw new AtelierException($"{path}: no such file or folder");

    static int Pictures(CliContext ctx, string pathA, string pathB, bool resize)
    {
        using var suite = MetricSuite.BuiltIn(ctx.Device);
        var figures = suite.ComparePair(MetricInputs.Load(pathA), MetricInputs.Load(pathB), resize, Path.GetFileName(pathA));
        var sb = new StringBuilder($"{pathA} against {pathB}:");
        foreach (var m in suite.PairMetrics) sb.Append(CultureInfo.InvariantCulture, $"\n  {m.Name,-34} {Format(m, figures[m.Key])}");
        ctx.Result(new { command = "metrics", a = pathA, b = pathB, figures }, sb.ToString());
        return CliRunner.Success;
    }

    static int Folders(CliContext ctx, string pathA, string pathB, bool resize, CancellationToken ct)
    {
        var pairs = MetricInputs.MatchByName(pathA, pathB);
        using var suite = MetricSuite.BuiltIn(ctx.Device);
        var report = ctx.WithProgress("metrics", p => suite.ComparePairs(
            pairs.Select(x => (x.Name, (Func<Imaging.Image>)(() => MetricInputs.Load(x.A)), (Func<Imaging.Image>)(() => MetricInputs.Load(x.B)))).ToList(),
            resize, p, ct));
        var sb = new StringBuilder();
        int nameWidth = Math.Max(4, report.Pairs.Max(p => p.Name.Length));
        sb.Append("name".PadRight(nameWidth)).Append(string.Concat(suite.PairMetrics.Select(m => " " + Header(m).PadLeft(12)))).Append('\n');
        foreach (var p in report.Pairs)
            sb.Append(p.Name.PadRight(nameWidth)).Append(string.Concat(suite.PairMetrics.Select(m => " " + Format(m, p.Figures[m.Key]).PadLeft(12)))).Append('\n');
        sb.Append($"mean of {report.Pairs.Count}".PadRight(nameWidth)).Append(string.Concat(suite.PairMetrics.Select(m => " " + Format(m, report.Means[m.Key]).PadLeft(12))));
        ctx.Result(new
        {
            command = "metrics", a = pathA, b = pathB, count = report.Pairs.Count, means = report.Means,
            pairs = report.Pairs.Select(p => new { name = p.Name, figures = p.Figures }),
        }, sb.ToString());
        return CliRunner.Success;
    }

    static int Sets(CliContext ctx, string pathA, string pathB, int subsets, CancellationToken ct)
    {
        var filesA = MetricInputs.Set(pathA);
        var filesB = MetricInputs.Set(pathB);
        using var suite = MetricSuite.BuiltIn(ctx.Device, ctx.Seed ?? 0, subsets);
        // Counted before any work: a folder of three pictures fails at once, not after the features of the other.
        foreach (var (files, path) in new[] { (filesA, pathA), (filesB, pathB) })
            if (files.Count < suite.MinimumSetSize)
                throw new AtelierException($"{path}: {files.Count} picture{(files.Count == 1 ? "" : "s")}; the set figures (FD, KID) need at least {suite.MinimumSetSize} in each folder");
        var report = ctx.WithProgress("metrics --dist", p =>
        {
            int total = filesA.Count + filesB.Count;
            var fa = suite.Features(filesA.Select(MetricInputs.Load), p, ct, total);
            var offset = new Progress(p, filesA.Count, total);
            var fb = suite.Features(filesB.Select(MetricInputs.Load), offset, ct, total);
            return suite.CompareSets(fa, fb, pathA, pathB);
        });
        var kidMetric = (KernelDistance)suite.SetMetrics.First(m => m is KernelDistance);
        var fd = report.Figures["fd"];
        var kid = report.Figures["kid"];
        int subsetSize = kidMetric.SubsetSizeFor(report.CountA, report.CountB);
        ctx.Result(new
        {
            command = "metrics", dist = true, a = pathA, b = pathB, countA = report.CountA, countB = report.CountB,
            fd = fd.Value, kid = kid.Value, kidStandardError = kid.StandardError, kidSubsets = kidMetric.Subsets, kidSubsetSize = subsetSize,
            features = "ResNet-18 avgpool (512-d), pictures resized to 224x224",
        }, $"{pathA} ({report.CountA}) against {pathB} ({report.CountB}), ResNet-18 pooled features:\n"
           + $"  FD-ResNet18   {fd.Value:G5}\n"
           + $"  KID-ResNet18  {kid.Value:G4} ± {kid.StandardError:G2} ({kidMetric.Subsets} subsets of {subsetSize})");
        return CliRunner.Success;
    }

    static string Header(ImagePairMetric m) => m.Key switch { "featureDistance" => "feature", "styleDistance" => "style", "psnr" => "PSNR (dB)", _ => m.Name };

    static string Format(ImagePairMetric m, double v) =>
        double.IsPositiveInfinity(v) ? "inf (same)" : m.Key == "psnr" ? v.ToString("F2", CultureInfo.InvariantCulture) : v.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>The second folder's progress, counted after the first's.</summary>
    sealed class Progress(IProgress<Runtime.ProgressReport> inner, int offset, int total) : IProgress<Runtime.ProgressReport>
    {
        public void Report(Runtime.ProgressReport value) => inner.Report(new Runtime.ProgressReport(offset + value.Step, total, value.Stage));
    }
}
