using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Models;
using Atelier.Runtime;
using Atelier.Translation;

namespace Atelier.Cli.Commands;

/// <summary>`atelier pix2pix translate`: run a pix2pix or CycleGAN generator on an image or a folder of images.</summary>
public static class TranslateCommand
{
    public sealed record Item(string Input, string? Output, string? Error);
    public sealed record Result(string Checkpoint, string Architecture, string Mode, int Translated, int Failed, IReadOnlyList<Item> Items);


    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "An image, or a folder of images" };
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "Generator weights: a catalogue name (horse2zebra, style-monet, edges2shoes...; fetched on first use), the reference's latest_net_G.pth / latest_net_G_A.pth, or an Atelier run checkpoint", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Output image (for one input) or folder (for a folder; same names, .png)", Required = true };
        var arch = new Option<string?>("--arch") { Description = "Generator architecture (unet_256, unet_128, resnet_9blocks, resnet_6blocks...); detected from the checkpoint when left out" };
        var direction = new Option<string>("--direction") { Description = "AtoB (G_A) or BtoA (G_B) for a CycleGAN run checkpoint holding both", DefaultValueFactory = _ => "AtoB" };
        var eval = new Option<bool>("--eval") { Description = "Eval mode: BatchNorm running statistics and no dropout. Without it, like the reference's test.py, batch statistics and dropout are used" };
        var size = new Option<int?>("--size") { Description = "Scale so the shorter side is this many pixels (default: keep the size)" };
        var anySize = new AnySizeCliOptions();
        var cmd = new Command("translate", "Translate images with a pix2pix or CycleGAN generator (any size: padded by reflection to the network's multiple, cropped back; tiled within --max-memory)");
        cmd.Options.Add(size);
        anySize.AddTo(cmd);
        cmd.Arguments.Add(input);
        cmd.Options.Add(checkpoint);
        cmd.Options.Add(output);
        cmd.Options.Add(arch);
        cmd.Options.Add(direction);
        cmd.Options.Add(eval);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var inPath = ctx.Get(input)!;
            var outPath = ctx.Get(output)!;
            CliContext.CheckOutputIsNotInput(outPath, [inPath]);
            var dir = ParseDirection(ctx.Get(direction) ?? "AtoB");
            var sizing = anySize.Size(ctx, ctx.Get(size));
            var tiling = anySize.Tiling(ctx);
            List<(string In, string Out)> jobs;
            if (Directory.Exists(inPath))
            {
                var files = Directory.EnumerateFiles(inPath).Where(ImageIO.IsImageFile)
                    .Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new AtelierException($"{inPath}: no images (.png, .jpg, .jpeg, .webp, .bmp, .gif) in this folder");
                if (File.Exists(outPath)) throw new AtelierUsageException($"--output {outPath}: is a file; a folder input needs an output folder");
                jobs = files.Select(f => (f, Path.Combine(outPath, Path.GetFileNameWithoutExtension(f) + ".png"))).ToList();
            }
            else if (File.Exists(inPath))
            {
                var target = Directory.Exists(outPath) ? Path.Combine(outPath, Path.GetFileNameWithoutExtension(inPath) + ".png") : outPath;
                ImageIO.FormatForPath(target); // a bad extension is a usage error before any work
                jobs = [(inPath, target)];
            }
            else throw new AtelierException($"{inPath}: no such file or folder");

            // The area says which catalogue generators a short name means (sat2map: pix2pix's or CycleGAN's).
            var use = ctx.Parse.CommandResult.Parent is System.CommandLine.Parsing.CommandResult { Command.Name: "cyclegan" } ? ModelUse.CycleGan : ModelUse.Pix2Pix;
            using var translator = Translator.Load(ctx.ModelFile(ctx.Get(checkpoint)!, use, ct), ctx.Get(eval), ctx.Get(arch), dir, ctx.Device);
            ctx.Note($"{translator.Spec} ({(translator.EvalMode ? "eval mode" : "train-mode BatchNorm/dropout, as the reference's test.py")})");
            var items = new List<Item>();
            ctx.WithProgress("translate", progress =>
            {
                for (int i = 0; i < jobs.Count; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    var (src, dst) = jobs[i];
                    try
                    {
                        var image = sizing.Apply(ImageIO.Load(src));
                        var plan = TilePlan.Create(image.Width, image.Height, (int)translator.Spec.InputNc, translator, tiling);
                        if (plan.Tiled && translator.Spec.Norm == NormKind.Batch && !translator.EvalMode)
                            ctx.Warn($"{src}: cut into {plan.Tiles.Count} tiles; BatchNorm in train mode normalises each tile by its own statistics (use --eval, or a larger --max-memory, for one consistent result)");
                        var result = TiledInference.Run(image, translator, tiling, ct: ct);
                        ImageIO.Save(result, dst);
                        items.Add(new Item(src, dst, null));
                    }
                    catch (AtelierException e) when (jobs.Count > 1)
                    {
                        // One bad image in a folder is reported and skipped; the exit code says something failed.
                        var message = e.Render(ctx.FlagFor);
                        ctx.Warn($"skipped {src}: {message}");
                        items.Add(new Item(src, null, message));
                    }
                    progress.Report(new ProgressReport(i + 1, jobs.Count, Path.GetFileName(src)));
                }
            });
            int failed = items.Count(i => i.Error != null);
            var res = new Result(ctx.Get(checkpoint)!, translator.Spec.Name, translator.EvalMode ? "eval" : "train", items.Count - failed, failed, items);
            ctx.Result(res, $"translated {res.Translated} image(s) with {res.Architecture}{(failed > 0 ? $"; {failed} failed" : "")} -> {outPath}");
            return failed > 0 ? CliRunner.Failure : CliRunner.Success;
        });
        return cmd;
    }

    internal static Direction ParseDirection(string text) => text.Trim().ToLowerInvariant() switch
    {
        "atob" => Direction.AtoB,
        "btoa" => Direction.BtoA,
        _ => throw new AtelierUsageException($"--direction {text}: expected AtoB or BtoA"),
    };
}
