using System.Diagnostics;
using System.Globalization;
using Atelier.Imaging;
using Atelier.Methods;
using Atelier.Runtime;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// `atelier AREA VERB IN... -o DIR` for a method that takes many pictures in one go (<see cref="MethodDescriptor.RunMany"/>):
/// files and folders of pictures, each result written to DIR/NAME.png, same-sized pictures batched (--batch-size). A
/// folder is streamed (pictures are read as the batches need them: flat memory); a picture that cannot be read is
/// reported and skipped, and the run exits 1 at the end.
/// </summary>
static class RegisteredFolderRun
{
    /// <summary>One picture to an image file (or to a name with an extension, which the format check then judges): a plain run.</summary>
    public static bool IsOneToOne(string[] inputs, string outPath) =>
        inputs.Length == 1 && File.Exists(inputs[0]) && !Directory.Exists(outPath) && (ImageIO.IsImageFile(outPath) || Path.HasExtension(outPath));

    public static int Run(CliContext ctx, MethodDescriptor method, Dictionary<string, object?> given, string[] inputs, string outPath, int batchSize, CancellationToken ct)
    {
        if (batchSize < 1) throw new AtelierUsageException($"--batch-size {batchSize}: must be 1 or more");
        foreach (var a in inputs)
            if (!File.Exists(a) && !Directory.Exists(a)) throw new AtelierException($"{a}: no such file or folder");
        if (File.Exists(outPath)) throw new AtelierUsageException($"--output {outPath}: is a file; several inputs need an output folder");
        CliContext.CheckOutputIsNotInput(outPath, inputs);
        var files = Enumerate(inputs).ToList(); // names only: pictures are read batch by batch
        if (files.Count == 0) throw new AtelierException($"no images found in {string.Join(", ", inputs)}");

        var primary = method.Primary!;
        var typed = method.Parameters.Where(p => p.Kind is ParameterKind.Model or ParameterKind.Features)
            .ToDictionary(p => p.Name, p => given.GetValueOrDefault(p.Name) ?? p.Default);
        given.Remove(primary.Name);
        RegisteredCommand.ResolveModels(ctx, method, given, ct);

        var failures = new List<string>();
        var written = new List<string>();
        var sources = new Queue<string>(); // the pictures handed to the method, in order: its results come back in it
        var clock = Stopwatch.StartNew();
        using var resources = new MethodResources();
        ctx.WithProgress($"{method.Area} {method.Verb}", progress =>
        {
            IEnumerable<MethodValues> Pictures()
            {
                foreach (var file in files)
                {
                    ct.ThrowIfCancellationRequested();
                    Image image;
                    try { image = ImageIO.Load(file); }
                    catch (AtelierException e)
                    {
                        failures.Add(file);
                        ctx.Err.WriteLine($"error: {e.Render(ctx.FlagFor)} (skipped)");
                        progress.Report(new ProgressReport(written.Count + failures.Count, files.Count));
                        continue;
                    }
                    sources.Enqueue(file);
                    yield return MethodValues.Create(method, new Dictionary<string, object?>(given, StringComparer.Ordinal) { [primary.Name] = image });
                }
            }
            var run = new MethodContext(() => ctx.Device) { Progress = null, Cancellation = ct, Resources = resources, Note = RegisteredCommand.Notes(ctx) };
            foreach (var result in method.RunMany!(Pictures(), batchSize, run))
            {
                var dest = Path.Combine(outPath, Path.GetFileNameWithoutExtension(sources.Dequeue()) + ".png");
                Directory.CreateDirectory(outPath); // once something is written
                ImageIO.Save(result.Image, dest);
                written.Add(dest);
                progress.Report(new ProgressReport(written.Count + failures.Count, files.Count));
            }
        });
        double seconds = clock.Elapsed.TotalSeconds;
        var json = new Dictionary<string, object?> { ["command"] = $"{method.Area} {method.Verb}", ["method"] = method.Id };
        // Models as given (a name or a file), as before.
        foreach (var (name, value) in typed) json[char.ToLowerInvariant(name[0]) + name[1..]] = value;
        json["outputs"] = written;
        json["failed"] = failures;
        json["seconds"] = Math.Round(seconds, 3);
        ctx.Result(json, $"wrote {written.Count} image{(written.Count == 1 ? "" : "s")} to {outPath} in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
            + (failures.Count > 0 ? $"; {failures.Count} could not be read: {string.Join(", ", failures)}" : ""));
        return failures.Count > 0 ? CliRunner.Failure : CliRunner.Success;
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
