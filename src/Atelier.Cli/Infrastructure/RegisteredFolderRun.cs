using System.Diagnostics;
using System.Globalization;
using Atelier.Imaging;
using Atelier.Methods;
using Atelier.Runtime;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// `atelier AREA VERB IN... -o DIR` for a method that takes many pictures (<see cref="MethodDescriptor.TakesMany"/>):
/// files and folders of pictures, each result written to DIR/NAME.png with the same values and the model loaded once.
/// A method that batches (<see cref="MethodDescriptor.RunMany"/>) gets same-sized pictures together (--batch-size);
/// the others run picture by picture. A folder is streamed (pictures are read as the method needs them: flat memory).
/// A picture that cannot be read, or that the method refuses, is reported and skipped, and the run exits 1 at the end.
/// </summary>
static class RegisteredFolderRun
{
    /// <summary>One picture's outcome: where it went, or why it was skipped.</summary>
    public sealed record Item(string Input, string? Output, string? Error);

    /// <summary>One picture to an image file (or to a name with an extension, which the format check then judges): a plain run.</summary>
    public static bool IsOneToOne(string[] inputs, string outPath) =>
        inputs.Length == 1 && File.Exists(inputs[0]) && !Directory.Exists(outPath) && (ImageIO.IsImageFile(outPath) || Path.HasExtension(outPath));

    public static int Run(CliContext ctx, MethodDescriptor method, Dictionary<string, object?> given, string[] inputs, string outPath, int batchSize, CancellationToken ct)
    {
        if (batchSize < 1) throw new AtelierUsageException($"--batch-size {batchSize}: must be 1 or more");
        foreach (var a in inputs)
            if (!File.Exists(a) && !Directory.Exists(a)) throw new AtelierException($"{a}: no such file or folder");
        if (File.Exists(outPath)) throw new AtelierUsageException($"--output {outPath}: is a file; several inputs or a folder need an output folder");
        CliContext.CheckOutputIsNotInput(outPath, inputs);
        var files = Enumerate(inputs).ToList(); // names only: pictures are read as the method takes them
        if (files.Count == 0) throw new AtelierException($"no images {ImageIO.ReadableExtensionList} in {string.Join(", ", inputs)}");

        var primary = method.Primary!;
        given.Remove(primary.Name);
        RegisteredCommand.LoadImages(ctx, given, method.Parameters.Where(p => p != primary));
        RegisteredCommand.ResolveModels(ctx, method, given, ct);

        var items = new List<Item>();
        var sources = new Queue<string>(); // the pictures handed to the method, in order: its results come back in it
        string? current = null; // the picture being run, for warnings
        MethodValues? last = null;
        var clock = Stopwatch.StartNew();
        using var resources = new MethodResources(); // one model for every picture
        ctx.WithProgress($"{method.Area} {method.Verb}", progress =>
        {
            void Skip(string file, AtelierException e)
            {
                var message = e.Render(ctx.FlagFor);
                ctx.Err.WriteLine($"error: {file}: {message} (skipped)"); // shown under --quiet too: the exit code will say something failed
                items.Add(new Item(file, null, message));
                progress.Report(new ProgressReport(items.Count, files.Count, Path.GetFileName(file)));
            }

            IEnumerable<(string File, MethodValues Values)> Pictures()
            {
                foreach (var file in files)
                {
                    ct.ThrowIfCancellationRequested();
                    Image image;
                    try { image = ImageIO.Load(file, new ImageLoadOptions { ColorMode = ColorMode.Rgb }); }
                    catch (AtelierException e) { Skip(file, e); continue; }
                    ctx.Spellings[primary.Name] = $"'{file}'";
                    last = MethodValues.Create(method, new Dictionary<string, object?>(given, StringComparer.Ordinal) { [primary.Name] = image });
                    yield return (file, last);
                }
            }

            // Picture by picture, a refusal skips that picture alone; a batching method's stream stops at one.
            IEnumerable<(string File, MethodResult? Result)> OneByOne(MethodContext run)
            {
                foreach (var (file, values) in Pictures())
                {
                    current = file;
                    MethodResult? result = null;
                    try { result = method.Run(values, run); }
                    catch (AtelierException e) when (e is not AtelierUsageException) { Skip(file, e); }
                    if (result is not null) yield return (file, result);
                }
            }

            IEnumerable<(string File, MethodResult? Result)> Batched(MethodContext run) =>
                method.RunMany!(Pictures().Select(p => { sources.Enqueue(p.File); return p.Values; }), batchSize, run)
                    .Select(result => (sources.Dequeue(), (MethodResult?)result));

            var run = new MethodContext(() => ctx.Device)
            {
                Cancellation = ct, Resources = resources, Note = RegisteredCommand.Notes(ctx), Threads = ctx.Threads,
                Warn = m => ctx.Warn(current is null ? m : $"{current}: {m}"),
            };
            foreach (var (file, result) in method.RunMany is null ? OneByOne(run) : Batched(run))
            {
                var dest = Path.Combine(outPath, Path.GetFileNameWithoutExtension(file) + ".png");
                Directory.CreateDirectory(outPath); // once something is written
                ImageIO.Save(result!.Image, dest);
                items.Add(new Item(file, dest, null));
                progress.Report(new ProgressReport(items.Count, files.Count, Path.GetFileName(file)));
            }
        });
        double seconds = clock.Elapsed.TotalSeconds;
        // In the inputs' order, whatever order batches finished in.
        var order = files.Select((f, i) => (f, i)).GroupBy(x => x.f).ToDictionary(g => g.Key, g => g.First().i);
        items = [.. items.OrderBy(i => order[i.Input])];
        int failed = items.Count(i => i.Error is not null);
        var json = new Dictionary<string, object?> { ["command"] = $"{method.Area} {method.Verb}", ["method"] = method.Id, ["inputs"] = inputs, ["output"] = outPath };
        if (last is not null)
            foreach (var (k, v) in last.Describe()) if (k != primary.Name) json[char.ToLowerInvariant(k[0]) + k[1..]] = v;
        json["done"] = items.Count - failed;
        json["failed"] = failed;
        json["items"] = items;
        json["seconds"] = Math.Round(seconds, 3);
        ctx.Result(json, $"{method.Title}: wrote {items.Count - failed} image{(items.Count - failed == 1 ? "" : "s")} to {outPath} in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
            + (failed > 0 ? $"; skipped {failed}: {string.Join(", ", items.Where(i => i.Error is not null).Select(i => i.Input))}" : ""));
        return failed > 0 ? CliRunner.Failure : CliRunner.Success;
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
