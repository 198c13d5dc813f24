using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Runtime;
using Atelier.Style;
using static TorchSharp.torch;

namespace Atelier.Cli.Commands.Style;

/// <summary>
/// `atelier fast-style stylize CONTENT... --model M -o OUT|DIR`: Johnson et al. (2016) feed-forward style transfer with a
/// trained TransformerNet. One image to a file, or several images / folders to a folder, in batches of same-sized
/// images; a folder is streamed (flat memory), an unreadable image is reported and skipped (exit 1 at the end).
/// </summary>
public static class FastStyleCommand
{

    public static Command Create()
    {
        var inputs = new Argument<string[]>("CONTENT") { Description = "Content images and/or folders of images", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model", "-m") { Description = "Trained network: a name (one Atelier ships, e.g. candy, which wins over a catalogue name; or a catalogue model fetched on first use: mosaic, udnie, rain-princess, candy-pytorch), a .pth from pytorch/examples fast_neural_style, or a .safetensors from fast-style train", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Output image (one input) or folder (several inputs or a folder)", Required = true };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass (same-sized images are batched)", DefaultValueFactory = _ => 4 };
        var size = new Option<int?>("--size") { Description = "Resize each content image so its shorter side is this many pixels (default: keep its size)" };
        var anySize = new AnySizeCliOptions();
        var cmd = new Command("fast", "Feed-forward style transfer with a trained fast-style network (Johnson et al. 2016); any size, tiled within --max-memory") { inputs, model, output, batch, size };
        anySize.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            int batchSize = ctx.Get(batch);
            if (batchSize < 1) throw new AtelierUsageException($"--batch-size {batchSize}: must be 1 or more");
            var sizing = anySize.Size(ctx, ctx.Get(size));
            var tiling = anySize.Tiling(ctx);
            var args = ctx.Get(inputs)!;
            var outPath = ctx.Get(output)!;
            foreach (var a in args)
                if (!File.Exists(a) && !Directory.Exists(a)) throw new AtelierException($"{a}: no such file or folder");
            bool single = args.Length == 1 && File.Exists(args[0]);
            bool toFile = single && ImageIO.IsImageFile(outPath) && !Directory.Exists(outPath);
            if (toFile) ImageIO.FormatForPath(outPath);
            // One picture to a name with an unknown extension (out.tiff): refused, not taken for a folder name.
            else if (single && Path.HasExtension(outPath) && !Directory.Exists(outPath)) ImageIO.FormatForPath(outPath);
            else if (File.Exists(outPath)) throw new AtelierUsageException($"--output {outPath}: is a file; several inputs need an output folder");
            CliContext.CheckOutputIsNotInput(outPath, args);

            var files = Enumerate(args).ToList(); // names only: images are read batch by batch
            if (files.Count == 0) throw new AtelierException($"no images found in {string.Join(", ", args)}");
            using var net = FastStyle.LoadModel(ctx.ModelFile(ctx.Get(model)!, Atelier.Models.ModelUse.FastStyle, ct), ctx.Device);
            var network = new FastStyleNetwork(net);
            if (!toFile) Directory.CreateDirectory(outPath);

            var failures = new List<string>();
            var written = new List<string>();
            var clock = Stopwatch.StartNew();
            ctx.WithProgress("fast-style stylize", progress =>
            {
                int done = 0;
                var pending = new List<(string Source, Image Image)>();
                void Flush()
                {
                    if (pending.Count == 0) return;
                    var results = FastStyle.Stylize(net, pending.Select(p => p.Image).ToList(), ctx.Device);
                    for (int i = 0; i < pending.Count; i++)
                    {
                        var dest = toFile ? outPath : Path.Combine(outPath, Path.GetFileNameWithoutExtension(pending[i].Source) + ".png");
                        ImageIO.Save(results[i], dest);
                        written.Add(dest);
                    }
                    done += pending.Count;
                    pending.Clear();
                    progress.Report(new ProgressReport(done + failures.Count, files.Count));
                }
                foreach (var file in files)
                {
                    ct.ThrowIfCancellationRequested();
                    Image image;
                    try
                    {
                        image = ImageIO.Load(file);
                        image = sizing.Apply(image);
                    }
                    catch (AtelierException e)
                    {
                        failures.Add(file);
                        ctx.Err.WriteLine($"error: {e.Render(ctx.FlagFor)} (skipped)");
                        progress.Report(new ProgressReport(done + failures.Count, files.Count));
                        continue;
                    }
                    // Sides off the network's multiple, or too large for the budget: padded, tiled if need be, cropped back.
                    if (image.Width % network.Multiple != 0 || image.Height % network.Multiple != 0
                        || TilePlan.Create(image.Width, image.Height, 3, network, tiling).Tiled)
                    {
                        Flush();
                        var result = TiledInference.Run(image, network, tiling, ct: ct);
                        var dest = toFile ? outPath : Path.Combine(outPath, Path.GetFileNameWithoutExtension(file) + ".png");
                        ImageIO.Save(result, dest);
                        written.Add(dest);
                        done++;
                        progress.Report(new ProgressReport(done + failures.Count, files.Count));
                        continue;
                    }
                    // A batch holds images of one size: flush when the size changes or the batch is full.
                    if (pending.Count > 0 && (pending[0].Image.Width != image.Width || pending[0].Image.Height != image.Height)) Flush();
                    pending.Add((file, image));
                    if (pending.Count == batchSize) Flush();
                }
                Flush();
            });
            double seconds = clock.Elapsed.TotalSeconds;
            ctx.Result(new
            {
                command = "fast-style stylize",
                model = ctx.Get(model),
                outputs = written,
                failed = failures,
                seconds = Math.Round(seconds, 3),
            }, $"wrote {written.Count} image{(written.Count == 1 ? "" : "s")} to {outPath} in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
               + (failures.Count > 0 ? $"; {failures.Count} could not be read: {string.Join(", ", failures)}" : ""));
            return failures.Count > 0 ? CliRunner.Failure : CliRunner.Success;
        });
        return cmd;
    }

    /// <summary>Files as given, and the images of folders in name order (lazily).</summary>
    static IEnumerable<string> Enumerate(IEnumerable<string> args)
    {
        foreach (var a in args)
        {
            if (File.Exists(a)) { yield return a; continue; }
            foreach (var f in ImageIO.ImagesIn(a)) yield return f;
        }
    }
}
