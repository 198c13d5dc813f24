using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Methods;
using Atelier.Texture;

namespace Atelier.Cli.Commands;

/// <summary>`atelier texture synthesize|transfer|fill`: non-parametric texture synthesis (no neural network).</summary>
public static class TextureCommand
{
    public static Command Create()
    {
        var cmd = new Command("texture", "Texture synthesis from a sample: Efros-Leung, scanline (Wei-Levoy), image quilting, texture transfer, hole filling");
        foreach (var method in MethodRegistry.InArea("texture"))
        {
            var sub = RegisteredCommand.Create(method);
            if (method.Verb == "optimize") sub.Aliases.Add("optimise"); // the British spelling it first shipped under
            cmd.Subcommands.Add(sub);
        }
        cmd.Subcommands.Add(Synthesize());
        return cmd;
    }

    /// <summary>
    /// The earlier spelling `texture synthesize --method M`, kept (hidden) for scripts: it runs the registered
    /// texture.M with the same flags, and can add --metrics.
    /// </summary>
    static Command Synthesize()
    {
        var sample = new Argument<string>("SAMPLE") { Description = "The texture sample image" };
        var output = new Option<string>("--output", "-o") { Description = "Output image (.png, .jpg or .webp)", Required = true };
        var size = new Option<string>("--size") { Description = "Output size WxH, e.g. 256x256", Required = true };
        var method = new Option<string>("--method") { Description = "efros-leung (exact, slow), scanline (Wei-Levoy) or quilting", DefaultValueFactory = _ => "efros-leung" };
        var window = new Option<int?>("--window") { Description = "Neighbourhood window, odd (efros-leung default 11, scanline default 9)" };
        var block = new Option<int?>("--block") { Description = "Quilting block size (default: a quarter of the sample's smaller side)" };
        var overlap = new Option<int?>("--overlap") { Description = "Quilting overlap (default block/6)" };
        var levels = new Option<int?>("--levels") { Description = "Scanline pyramid levels" };
        var approximate = new Option<bool>("--approximate") { Description = "Approximate search (coherence candidates): much faster, not exact" };
        var metrics = new Option<bool>("--metrics") { Description = "Also measure coherence and coverage against the sample (TextureMetrics)" };
        var cmd = new Command("synthesize", "Synthesise a texture of any size from a sample (earlier spelling of `texture efros-leung|scanline|quilting`)")
            { sample, output, size, method, window, block, overlap, levels, approximate, metrics };
        cmd.Hidden = true;
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var m = ctx.Get(method)!;
            var descriptor = m is "efros-leung" or "scanline" or "quilting" ? MethodRegistry.Find("texture." + m)!
                : throw new AtelierUsageException($"--method {m}: expected efros-leung, scanline or quilting");
            bool approx = ctx.Get(approximate);
            if (ctx.Get(block) != null && m != "quilting") throw new AtelierUsageException("--block: only --method quilting uses blocks");
            if (ctx.Get(overlap) != null && m != "quilting") throw new AtelierUsageException("--overlap: only --method quilting uses an overlap");
            if (ctx.Get(levels) != null && m != "scanline") throw new AtelierUsageException("--levels: only --method scanline has pyramid levels");
            if (ctx.Get(window) != null && m == "quilting") throw new AtelierUsageException("--window: quilting uses --block and --overlap, not a window");
            if (approx && m == "quilting") throw new AtelierUsageException("--approximate: only efros-leung and scanline have an approximate mode (quilting is fast already)");
            var given = new Dictionary<string, object?>(StringComparer.Ordinal) { ["Sample"] = ctx.Get(sample), ["Size"] = ctx.Get(size), ["Seed"] = ctx.SeedOrRandom() };
            if (m == "quilting") { given["Block"] = ctx.Get(block); given["Overlap"] = ctx.Get(overlap); }
            else { given["Window"] = ctx.Get(window); given["Approximate"] = approx; }
            // This spelling always ran scanline on one level unless asked.
            if (m == "scanline") given["Levels"] = ctx.Get(levels) ?? 1;
            string? note = approx ? "approximate search (coherence candidates): not the exact method's result" : null;
            if (note != null) ctx.Note("note: " + note);
            return RegisteredCommand.Run(ctx, descriptor, given, ctx.Get(output)!, ct, (values, result) =>
            {
                TextureSimilarity? sim = ctx.Get(metrics) ? Measure(result.Image, values.Image("Sample"), ct) : null;
                return new Dictionary<string, object?>
                {
                    ["command"] = "texture synthesize", ["method"] = m, ["exact"] = !approx,
                    ["coherence"] = sim?.Coherence, ["coverage"] = sim?.Coverage, ["repetition"] = sim?.Repetition, ["note"] = note,
                };
            });
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
}
