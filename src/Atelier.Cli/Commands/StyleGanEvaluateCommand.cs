using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.StyleGan;
using TorchSharp;

namespace Atelier.Cli.Commands;

/// <summary>
/// `atelier stylegan evaluate --model M --images DIR`: a generator's held-out figures, the PSNR of inversions of
/// pictures it never drew in each latent space (Image2StyleGAN), and a grid of them.
/// </summary>
public static class StyleGanEvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m", "--checkpoint", "-c") { Description = "The generator (a shipped name such as stylegan-glyphs, a catalogue name, or a file)", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of held-out pictures (not used in training)", Required = true };
        var count = new Option<int>("--count") { Description = "Pictures inverted at most, spread evenly over the folder in name order (0: all)", DefaultValueFactory = _ => 16 };
        var steps = new Option<int>("--steps") { Description = "Adam steps per inversion", DefaultValueFactory = _ => 300 };
        var spaces = new Option<string>("--spaces") { Description = "Latent spaces, comma-separated: z, w, w+", DefaultValueFactory = _ => "w,w+" };
        var pixelOnly = new Option<bool>("--pixel-only") { Description = "Pixel loss only (no perceptual network)" };
        var output = new Option<string?>("--output", "-o") { Description = "A grid (picture, then each space's reconstruction per row) as PNG" };
        var cmd = new Command("evaluate", "Held-out figures of a StyleGAN2 generator: inversion PSNR of pictures it never drew, per latent space")
            { model, images, count, steps, spaces, pixelOnly, output };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            int n = ctx.Get(count), s = ctx.Get(steps);
            if (n < 0) throw new AtelierUsageException($"--count {n}: must be 0 (all) or more");
            if (s < 1) throw new AtelierUsageException($"--steps {s}: must be 1 or more");
            var spaceList = ctx.Get(spaces)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(x => LatentFile.ParseSpace(x, "Spaces")).Distinct().ToList();
            if (spaceList.Count == 0) throw new AtelierUsageException("--spaces: give at least one of z, w, w+");
            if (ctx.Get(output) is { } o) ImageIO.FormatForPath(o);
            var dir = ctx.Get(images)!;
            if (!Directory.Exists(dir)) throw new AtelierUsageException($"--images {dir}: no such folder");
            var files = ImageIO.ImagesIn(dir);
            if (files.Count == 0) throw new AtelierUsageException($"--images {dir}: no pictures {ImageIO.ReadableExtensionList}");
            // Evenly spread, so a folder sorted by font then letter gives many fonts and letters.
            if (n > 0 && files.Count > n) files = [.. Enumerable.Range(0, n).Select(i => files[(int)((long)i * files.Count / n)])];
            var pictures = files.Select(f => (Path.GetFileNameWithoutExtension(f), ImageIO.Load(f))).ToList();
            var path = ctx.ModelFile(ctx.Get(model)!, Atelier.Models.ModelUse.StyleGan, ct);
            using var g = GeneratorLoader.Load(path, ctx.Device);
            using var features = ctx.Get(pixelOnly) ? null : FeatureNetworks.Load(FeatureNetworks.Default);
            if (features is not null) features.to(ctx.Device);
            var scores = ctx.WithProgress("stylegan evaluate", p => InversionEvaluation.Run(g, path, pictures, features, spaceList, s, ctx.Seed ?? 1, p, ct));
            if (ctx.Get(output) is { } grid) ImageIO.Save(InversionEvaluation.Sheet(scores), grid);
            var means = spaceList.Select(x => new
            {
                space = LatentFile.SpaceName(x), psnr = Math.Round(InversionEvaluation.MeanPsnr(scores, x), 3),
                perceptual = Math.Round(InversionEvaluation.MeanPerceptual(scores, x), 5),
            }).ToList();
            ctx.Result(new
            {
                command = "stylegan evaluate", model = path, pictures = scores.Count, steps = s, size = g.Size,
                features = features?.Description ?? "none (pixel loss only)", spaces = means,
                perPicture = scores.Select(r => new { r.Name, spaces = r.Spaces.Select(x => new { space = LatentFile.SpaceName(x.Space), psnr = Math.Round(x.Psnr, 3), perceptual = Math.Round(x.Perceptual, 5) }) }),
            }, $"{scores.Count} held-out pictures at {g.Size} px, {s} steps: " + string.Join(", ", means.Select(m => $"{m.space} {m.psnr:0.00} dB (perceptual {m.perceptual:0.000})")));
            return CliRunner.Success;
        });
        return cmd;
    }
}
