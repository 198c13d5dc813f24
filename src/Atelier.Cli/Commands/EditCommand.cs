using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.StyleGan;
using TorchSharp;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Cli.Commands;

/// <summary>
/// `atelier edit ...` (the earlier spelling of `atelier stylegan ...`): Image2StyleGAN edits. Latent arithmetic (morph,
/// crossover, expression) on codes given as seeds or latent files, and the inversions under a known degradation
/// (superres, inpaint, sketch, colorize: registered methods).
/// </summary>
public static class EditCommand
{
    public static Command Create()
    {
        var cmd = new Command("edit", "Edit with a StyleGAN2 generator: morph, crossover, expression, superres, inpaint, sketch, colorize");
        foreach (var edit in CodeEdits()) cmd.Subcommands.Add(edit);
        // The others are registered methods (StyleGan/LatentEditMethods, InversionMethods).
        foreach (var method in new[] { LatentEditMethods.Crossover, LatentEditMethods.Expression, InversionMethods.SuperResolution, InversionMethods.Inpaint,
                     InversionMethods.Sketch, InversionMethods.Colorize })
            cmd.Subcommands.Add(RegisteredCommand.Create(method));
        return cmd;
    }

    /// <summary>The edits not registered yet (morph: the CLI's strip and GIF, the studio's single blend): `atelier stylegan` adds them too.</summary>
    public static IEnumerable<Command> CodeEdits() => [Morph()];

    static Option<string> Code(string name, string role) => new(name)
    {
        Description = $"{role}: a seed (integer) or a latent file (see --space)",
        Required = true,
    };

    static Option<string> CodeSpace() => new("--space")
    {
        Description = "Space of latent files given as codes: z, w or w+ (seeds are always z)",
        DefaultValueFactory = _ => "w+",
    };

    static Option<string> ImageOutput() => new("--output", "-o") { Description = "Output image (.png/.jpg/.webp)", Required = true };

    /// <summary>A code as w+ (1, n_latent, dim): a seed's z mapped to w, or the first code of a latent file.</summary>
    static Tensor ResolveCode(Generator g, string text, LatentSpace space, string option)
    {
        using var scope = NewDisposeScope();
        Tensor w;
        if (long.TryParse(text, out var seed) && seed >= 0) w = g.SeedW(seed);
        else
        {
            if (!File.Exists(text)) throw new AtelierException($"{option} {text}: neither a seed nor an existing latent file");
            var codes = LatentFile.Load(text, space, g).to(g.Device);
            var first = codes.narrow(0, 0, 1);
            w = space == LatentSpace.Z ? g.Map(first) : first;
        }
        return g.Broadcast(w).MoveToOuterDisposeScope();
    }

    static void RequireImagePath(string path)
    {
        if (!StyleGanCommand.IsImagePath(path)) throw new AtelierUsageException($"--output {path}: expected an image path (.png, .jpg or .webp)");
    }

    static Command Morph()
    {
        var checkpoint = StyleGanCommand.CheckpointOption();
        var from = Code("--from", "First code (l = 1)");
        var to = Code("--to", "Second code (l = 0)");
        var space = CodeSpace();
        var frames = new Option<int>("--frames") { Description = "Images in the strip (l from 1 to 0)", DefaultValueFactory = _ => 8 };
        var output = ImageOutput();
        var gif = new Option<string?>("--gif") { Description = "Also write the frames as an animated GIF (there and back, looping)" };
        var delay = new Option<int>("--delay") { Description = "GIF frame time in milliseconds", DefaultValueFactory = _ => 120 };
        var cmd = new Command("morph", "Morph between two codes: w = l w1 + (1 - l) w2, as a strip of frames (and an animated GIF)") { checkpoint, from, to, space, frames, output, gif, delay };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var outPath = ctx.Get(output)!;
            RequireImagePath(outPath);
            int n = ctx.Get(frames);
            if (n < 2 || n > 256) throw new AtelierUsageException($"--frames {n}: must be 2..256");
            using var scope = NewDisposeScope();
            using var g = StyleGanCommand.LoadGenerator(ctx, ctx.Get(checkpoint)!, ct);
            var s = LatentFile.ParseSpace(ctx.Get(space));
            using var noGrad = no_grad();
            var w1 = ResolveCode(g, ctx.Get(from)!, s, "--from");
            var w2 = ResolveCode(g, ctx.Get(to)!, s, "--to");
            var codes = LatentEdits.MorphSequence(w1, w2, n);
            var cells = new List<(Image, string?)>();
            for (int i = 0; i < n; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var step = NewDisposeScope();
                cells.Add((StyleMixing.ToImage(g.Synthesize(codes.narrow(0, i, 1))), $"l={1 - (double)i / (n - 1):0.##}"));
            }
            ImageIO.Save(ContactSheet.Create(cells, columns: n), outPath);
            var gifPath = ctx.Get(gif);
            if (gifPath is not null)
            {
                if (!gifPath.EndsWith(".gif", StringComparison.OrdinalIgnoreCase)) throw new AtelierUsageException($"--gif {gifPath}: expected a .gif path");
                if (ctx.Get(delay) < 10) throw new AtelierUsageException($"--delay {ctx.Get(delay)}: must be at least 10 ms");
                var frameImages = cells.Select(c => c.Item1).ToList();
                // There and back, so the loop has no jump.
                GifWriter.Save(frameImages.Concat(frameImages.Skip(1).Reverse().Skip(1)).ToList(), gifPath, ctx.Get(delay));
            }
            ctx.Result(new { command = "stylegan morph", frames = n, output = outPath, gif = gifPath },
                $"wrote a {n}-frame morph strip to {outPath}" + (gifPath is null ? "" : $" and an animation to {gifPath}"));
            return CliRunner.Success;
        });
        return cmd;
    }
}
