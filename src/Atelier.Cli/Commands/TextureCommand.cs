using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Atelier.Cli.Cli;
using Atelier.Imaging;
using Atelier.Texture;

namespace Atelier.Cli.Commands;

/// <summary>`atelier texture synthesize|transfer|fill`: non-parametric texture synthesis (no neural network).</summary>
public static class TextureCommand
{
    public static Command Create()
    {
        var cmd = new Command("texture", "Texture synthesis from a sample: Efros-Leung, scanline (Wei-Levoy), image quilting, texture transfer, hole filling");
        cmd.Subcommands.Add(Synthesize());
        cmd.Subcommands.Add(Transfer());
        cmd.Subcommands.Add(Fill());
        return cmd;
    }

    static Option<string> OutputOption() => new("--output", "-o") { Description = "Output image (.png, .jpg or .webp)", Required = true };

    static Command Synthesize()
    {
        var sample = new Argument<string>("SAMPLE") { Description = "The texture sample image" };
        var output = OutputOption();
        var size = new Option<string>("--size") { Description = "Output size WxH, e.g. 256x256", Required = true };
        var method = new Option<string>("--method") { Description = "efros-leung (exact, slow), scanline (Wei-Levoy) or quilting", DefaultValueFactory = _ => "efros-leung" };
        var window = new Option<int?>("--window") { Description = "Neighbourhood window, odd (efros-leung default 11, scanline default 9)" };
        var block = new Option<int?>("--block") { Description = "Quilting block size (default: a quarter of the sample's smaller side)" };
        var overlap = new Option<int?>("--overlap") { Description = "Quilting overlap (default block/6)" };
        var levels = new Option<int?>("--levels") { Description = "Scanline pyramid levels (default 1; 3 keeps large structures)" };
        var approximate = new Option<bool>("--approximate") { Description = "Approximate search (coherence candidates): much faster, not exact" };
        var metrics = new Option<bool>("--metrics") { Description = "Also measure coherence and coverage against the sample (TextureMetrics)" };
        var cmd = new Command("synthesize", "Synthesise a texture of any size from a sample") { sample, output, size, method, window, block, overlap, levels, approximate, metrics };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var m = ctx.Get(method)!;
            if (m is not ("efros-leung" or "scanline" or "quilting"))
                throw new AtelierUsageException($"--method {m}: expected efros-leung, scanline or quilting");
            var (w, h) = ParseSize(ctx.Get(size)!);
            var outPath = ctx.Get(output)!;
            ImageIO.FormatForPath(outPath);
            bool approx = ctx.Get(approximate);
            if (ctx.Get(block) != null && m != "quilting") throw new AtelierUsageException("--block: only --method quilting uses blocks");
            if (ctx.Get(overlap) != null && m != "quilting") throw new AtelierUsageException("--overlap: only --method quilting uses an overlap");
            if (ctx.Get(levels) != null && m != "scanline") throw new AtelierUsageException("--levels: only --method scanline has pyramid levels");
            if (ctx.Get(window) != null && m == "quilting") throw new AtelierUsageException("--window: quilting uses --block and --overlap, not a window");
            if (approx && m == "quilting") throw new AtelierUsageException("--approximate: only efros-leung and scanline have an approximate mode (quilting is fast already)");
            var src = ImageIO.Load(ctx.Get(sample)!);
            long seed = ctx.SeedOrRandom();
            var rng = new Random(unchecked((int)seed));
            var clock = Stopwatch.StartNew();
            var result = ctx.WithProgress($"texture {m}", p => m switch
            {
                "efros-leung" => EfrosLeung.Synthesize(src, w, h, new EfrosLeungOptions { Window = ctx.Get(window) ?? 11, Approximate = approx }, rng, p, ct),
                "scanline" => Scanline.Synthesize(src, w, h, new ScanlineOptions { Window = ctx.Get(window) ?? 9, Levels = ctx.Get(levels) ?? 1, Approximate = approx }, rng, p, ct),
                _ => Quilting.Synthesize(src, w, h, new QuiltingOptions { Block = ctx.Get(block) ?? 0, Overlap = ctx.Get(overlap) ?? 0 }, rng, p, ct),
            });
            double seconds = clock.Elapsed.TotalSeconds;
            TextureSimilarity? sim = ctx.Get(metrics) ? Measure(result, src, ct) : null;
            ImageIO.Save(result, outPath);
            string? note = approx ? "approximate search (coherence candidates): not the exact method's result" : null;
            if (note != null) ctx.Note("note: " + note);
            ctx.Result(new
            {
                command = "texture synthesize",
                method = m,
                exact = !approx,
                output = outPath,
                width = w,
                height = h,
                sampleWidth = src.Width,
                sampleHeight = src.Height,
                seed,
                seconds = Math.Round(seconds, 3),
                coherence = sim?.Coherence,
                coverage = sim?.Coverage,
                note,
            }, $"wrote {outPath} ({w}x{h}, {m}{(approx ? ", approximate" : "")}) in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s, seed {seed}"
               + (sim != null ? $"; coherence {sim.Coherence:0.0000}, coverage {sim.Coverage:P1}" : ""));
            return CliRunner.Success;
        });
        return cmd;
    }

    static Command Transfer()
    {
        var texture = new Option<string>("--texture") { Description = "The texture to render the target with", Required = true };
        var target = new Option<string>("--target") { Description = "The image to re-render (its luminance guides the blocks)", Required = true };
        var output = OutputOption();
        var alpha = new Option<double?>("--alpha") { Description = "Fixed texture weight in [0,1] (default: the schedule 0.8 (i-1)/(N-1) + 0.1)" };
        var iterations = new Option<int>("--iterations") { Description = "Iterations, each with blocks a third smaller", DefaultValueFactory = _ => 3 };
        var block = new Option<int?>("--block") { Description = "First block size (default: a quarter of the texture's smaller side)" };
        var cmd = new Command("transfer", "Texture transfer: render a target image with a texture (Efros-Freeman)") { texture, target, output, alpha, iterations, block };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var outPath = ctx.Get(output)!;
            ImageIO.FormatForPath(outPath);
            var tex = ImageIO.Load(ctx.Get(texture)!);
            var tgt = ImageIO.Load(ctx.Get(target)!);
            long seed = ctx.SeedOrRandom();
            var opt = new TransferOptions { Alpha = ctx.Get(alpha), Iterations = ctx.Get(iterations), Block = ctx.Get(block) ?? 0 };
            var clock = Stopwatch.StartNew();
            var result = ctx.WithProgress("texture transfer", p => TextureTransfer.Transfer(tex, tgt, opt, new Random(unchecked((int)seed)), p, ct));
            double seconds = clock.Elapsed.TotalSeconds;
            ImageIO.Save(result, outPath);
            ctx.Result(new
            {
                command = "texture transfer",
                method = "transfer",
                output = outPath,
                width = result.Width,
                height = result.Height,
                iterations = opt.Iterations,
                alpha = opt.Alpha,
                seed,
                seconds = Math.Round(seconds, 3),
            }, $"wrote {outPath} ({result.Width}x{result.Height}, {opt.Iterations} iterations) in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s, seed {seed}");
            return CliRunner.Success;
        });
        return cmd;
    }

    static Command Fill()
    {
        var image = new Argument<string>("IMAGE") { Description = "The image with a hole" };
        var mask = new Option<string>("--mask") { Description = "Mask of the same size: white = fill, black = keep", Required = true };
        var output = OutputOption();
        var window = new Option<int>("--window") { Description = "Neighbourhood window (odd)", DefaultValueFactory = _ => 11 };
        var cmd = new Command("fill", "Fill the masked region from the rest of the image (Efros-Leung constrained synthesis)") { image, mask, output, window };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var outPath = ctx.Get(output)!;
            ImageIO.FormatForPath(outPath);
            var img = ImageIO.Load(ctx.Get(image)!);
            var maskPath = ctx.Get(mask)!;
            var m = ImageIO.Load(maskPath, new ImageLoadOptions { ColorMode = ColorMode.Gray });
            if (m.Width != img.Width || m.Height != img.Height)
                throw new AtelierUsageException($"--mask '{maskPath}' is {m.Width}x{m.Height} but the image is {img.Width}x{img.Height}; they must be the same size");
            var hole = HoleFilling.HoleFromMask(m);
            long seed = ctx.SeedOrRandom();
            var clock = Stopwatch.StartNew();
            var result = ctx.WithProgress("texture fill", p => HoleFilling.Fill(img, hole, new EfrosLeungOptions { Window = ctx.Get(window) }, new Random(unchecked((int)seed)), p, ct));
            double seconds = clock.Elapsed.TotalSeconds;
            ImageIO.Save(result, outPath);
            int filled = hole.Count(b => b);
            ctx.Result(new
            {
                command = "texture fill",
                method = "efros-leung-fill",
                output = outPath,
                width = img.Width,
                height = img.Height,
                filledPixels = filled,
                seed,
                seconds = Math.Round(seconds, 3),
            }, $"wrote {outPath} ({filled} pixels filled) in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s, seed {seed}");
            return CliRunner.Success;
        });
        return cmd;
    }

    /// <summary>Coherence over at most ~4000 output patches (strided), so the measurement stays quick.</summary>
    static TextureSimilarity Measure(Image output, Image sample, CancellationToken ct)
    {
        int patch = Math.Min(7, Math.Min(sample.Width, sample.Height));
        long patches = (long)(output.Width - patch + 1) * (output.Height - patch + 1);
        int stride = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(patches / 4000.0)));
        return TextureMetrics.Compare(output, sample, patch, stride, ct: ct);
    }

    internal static (int Width, int Height) ParseSize(string text)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h))
            throw new AtelierUsageException($"--size '{text}': expected WIDTHxHEIGHT, e.g. 256x256");
        if (w <= 0 || h <= 0) throw new AtelierUsageException($"--size {text}: width and height must be positive");
        if ((long)w * h > 64L * 1024 * 1024) throw new AtelierUsageException($"--size {text}: more than the limit of 64 megapixels");
        return (w, h);
    }
}
