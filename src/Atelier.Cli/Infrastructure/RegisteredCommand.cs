using System.CommandLine;
using System.Globalization;
using Atelier.Imaging;
using Atelier.Methods;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// A command made from a registered method (<see cref="MethodRegistry"/>): `atelier AREA VERB [PRIMARY] -o OUT
/// [--param value ...]`. The primary image is the positional argument, every other parameter a flag spelled as its
/// kebab-case name (Window -> --window), the seed the global --seed. Images are read from files, masks as grey; the
/// result goes to --output (written to a temporary file and renamed) with the run's figures as the report. A method
/// that can tile takes `--tileable [x|y|both|none]` (alone: both) and `--preview-tiles FILE`, the result tiled 2x2; one
/// that improves its picture step by step takes `--save-every N` (frames OUT.NNNN.png beside the output). A parameter's
/// aliases are further spellings (a one-letter one a short flag: -n); weighted pictures are `--flag FILE[:WEIGHT]`,
/// repeated. A method that takes many pictures takes several files and folders (<see cref="RegisteredFolderRun"/>), and
/// one that makes a sheet writes its parts into a folder. What a method
/// adds on the command line alone (more files, figures for --json) is its <see cref="CommandExtension"/>.
/// </summary>
public static class RegisteredCommand
{
    public static Command Create(MethodDescriptor method)
    {
        var cmd = new Command(method.Verb, method.Title + ": " + method.About + (method.Reference is { } r ? $" ({r})" : ""));
        var extension = CommandExtension.For(method.Id);
        var output = new Option<string>("--output", "-o")
        {
            Description = extension?.OutputHelp
                ?? (method.TakesMany ? "Output image (one input) or folder (several inputs or a folder; same names, .png)"
                : method.MakesSheet ? "Output folder (one PNG per image) or a sheet image path (.png/.jpg/.webp)" : "Output image (.png, .jpg or .webp)"),
            Required = true,
        };
        Func<ParseResult, string[]>? primary = null; // the positional files as given
        var readers = new Dictionary<string, Func<ParseResult, object?>>(StringComparer.Ordinal);
        Option<string?>? previewTiles = null;
        foreach (var p in method.Parameters)
        {
            if (p.Kind == ParameterKind.Seed && p.Name == "Seed") continue; // the global --seed
            if (p.Primary)
            {
                // A method that takes many pictures takes several files and folders (RegisteredFolderRun).
                if (!method.TakesMany)
                {
                    var one = new Argument<string>(p.Name.ToUpperInvariant()) { Description = Describe(p) };
                    primary = r => [r.GetValue(one)!];
                    cmd.Arguments.Add(one);
                }
                else
                {
                    var many = new Argument<string[]>(p.Name.ToUpperInvariant()) { Description = Describe(p), Arity = ArgumentArity.OneOrMore };
                    primary = r => r.GetValue(many)!;
                    cmd.Arguments.Add(many);
                }
                continue;
            }
            var flag = "--" + CliContext.Kebab(p.Name);
            Option option;
            switch (p.Kind)
            {
                case ParameterKind.Int: { var o = new Option<int?>(flag) { Description = Describe(p) }; readers[p.Name] = r => r.GetValue(o); option = o; break; }
                // A seed besides the run's own (a mixing grid's first row seed).
                case ParameterKind.Seed: { var o = new Option<long?>(flag) { Description = Describe(p) }; readers[p.Name] = r => r.GetValue(o); option = o; break; }
                case ParameterKind.Float: { var o = new Option<double?>(flag) { Description = Describe(p) }; readers[p.Name] = r => r.GetValue(o); option = o; break; }
                case ParameterKind.Bool:
                {
                    // A flag switches the default on; one whose default is on is offered as --no-NAME.
                    bool on = p.Default is true;
                    var o = new Option<bool>(on ? "--no-" + CliContext.Kebab(p.Name) : flag) { Description = Describe(p) };
                    readers[p.Name] = r => r.GetValue(o) ? !on : null;
                    option = o;
                    break;
                }
                case ParameterKind.Choice:
                {
                    var o = new Option<string?>(flag) { Description = Describe(p) + $" ({string.Join(", ", p.Choices!)})" };
                    o.AcceptOnlyFromAmong([.. p.Choices!]);
                    readers[p.Name] = r => r.GetValue(o);
                    option = o;
                    break;
                }
                case ParameterKind.Tiling:
                {
                    var o = new Option<string?>(flag)
                    {
                        Description = Describe(p) + $" ({string.Join(", ", p.Choices!)}; alone: both)",
                        Arity = ArgumentArity.ZeroOrOne,
                        // Alone it means both. It takes the next word, so a bare one before the positional input
                        // would swallow it: say so.
                        CustomParser = a =>
                        {
                            if (a.Tokens.Count == 0) return TileAxes.Both.Name();
                            if (TileAxesText.Parse(a.Tokens[0].Value) is { } axes) return axes.Name();
                            a.AddError($"{flag} '{a.Tokens[0].Value}': expected {string.Join(", ", p.Choices!)} (alone it means both; put it after the {(method.Primary?.Label ?? "input").ToLowerInvariant()})");
                            return null;
                        },
                    };
                    readers[p.Name] = r => r.GetValue(o);
                    option = o;
                    previewTiles = new Option<string?>("--preview-tiles") { Description = "Also write the result tiled 2x2 to this image file, to see how it repeats" };
                    break;
                }
                case ParameterKind.Features:
                {
                    // --features NAME|FILE, and --vgg, its older spelling, as every command that takes a network.
                    var features = new FeatureCliOption();
                    features.AddTo(cmd);
                    readers[p.Name] = r => features.Given(r);
                    continue;
                }
                case ParameterKind.Model when p.Repeatable:
                {
                    var o = new Option<string[]>(flag) { Description = Describe(p) + $" (a file or a {p.Use!.What} name, repeated; see `atelier models list`)", Required = p.Required };
                    readers[p.Name] = r => r.GetValue(o) is { Length: > 0 } files ? files : null;
                    option = o;
                    break;
                }
                case ParameterKind.Model:
                {
                    var o = new Option<string?>(flag) { Description = Describe(p) + $" (a file or a {p.Use!.What} name; see `atelier models list`)", Required = p.Required };
                    readers[p.Name] = r => r.GetValue(o);
                    option = o;
                    break;
                }
                case ParameterKind.Mask when p.Repeatable:
                {
                    var o = new Option<string[]>(flag) { Description = Describe(p), Required = p.Required };
                    readers[p.Name] = r => r.GetValue(o) is { Length: > 0 } files ? files : null;
                    option = o;
                    break;
                }
                case ParameterKind.Images:
                {
                    var o = new Option<string[]>(flag) { Description = Describe(p), Required = p.Required };
                    readers[p.Name] = r => r.GetValue(o) is { Length: > 0 } files ? files : null;
                    option = o;
                    break;
                }
                case ParameterKind.Text when p.Repeatable:
                {
                    // Comma-separated, repeated, or several words after one flag: all one list.
                    var o = new Option<string[]>(flag) { Description = Describe(p), AllowMultipleArgumentsPerToken = true };
                    readers[p.Name] = r => r.GetValue(o) is { Length: > 0 } parts ? string.Join(",", parts) : null;
                    option = o;
                    break;
                }
                default: { var o = new Option<string?>(flag) { Description = Describe(p), Required = p.Required }; readers[p.Name] = r => r.GetValue(o); option = o; break; }
            }
            foreach (var alias in p.Aliases) option.Aliases.Add(AliasFlag(alias));
            cmd.Options.Add(option);
        }
        if (previewTiles is not null) cmd.Options.Add(previewTiles);
        Option<int>? saveEvery = null;
        if (method.ShowsSteps)
        {
            saveEvery = new Option<int>("--save-every") { Description = "Write an intermediate frame every N steps (OUT.NNNN.png beside the output)", DefaultValueFactory = _ => 0 };
            cmd.Options.Add(saveEvery);
        }
        Option<int>? batchSize = null;
        if (method.RunMany is not null)
        {
            batchSize = new Option<int>("--batch-size") { Description = "Images per forward pass (same-sized images are batched)", DefaultValueFactory = _ => 4 };
            cmd.Options.Add(batchSize);
        }
        cmd.Options.Add(output);
        extension?.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var given = new Dictionary<string, object?>(StringComparer.Ordinal);
            // A method without randomness has no seed to take.
            if (method.Parameters.Any(p => p.Name == "Seed")) given["Seed"] = ctx.SeedOrRandom();
            foreach (var p in method.Parameters.Where(p => p.Primary || readers.ContainsKey(p.Name)))
                given[p.Name] = p.Primary ? primary!(ctx.Parse) : readers[p.Name](ctx.Parse);
            var outPath = ctx.Get(output)!;
            if (method.TakesMany)
            {
                var inputs = (string[])given[method.Primary!.Name]!;
                // One picture to a file runs as every method does; anything else (a folder, several files, a picture
                // into a folder) is a folder run.
                if (!RegisteredFolderRun.IsOneToOne(inputs, outPath))
                    return RegisteredFolderRun.Run(ctx, method, given, inputs, outPath, batchSize is null ? 1 : ctx.Get(batchSize), ct);
            }
            if (primary is not null) given[method.Primary!.Name] = ((string[])given[method.Primary!.Name]!)[0];
            int every = saveEvery is null ? 0 : ctx.Get(saveEvery);
            if (every < 0) throw new AtelierUsageException($"--save-every {every}: must be 0 (no frames) or more");
            if (extension is null)
                return Run(ctx, method, given, outPath, ct, previewTilesPath: previewTiles is null ? null : ctx.Get(previewTiles), saveEvery: every);
            // The extension may put the picture elsewhere (an inversion's -o names its latent file) and write more files after.
            var picture = extension.PicturePath(ctx, outPath);
            CliContext.CheckOutputIsNotInput(outPath, given.Values.OfType<string>());
            return Run(ctx, method, given, picture, ct, (_, result) => extension.AfterRun(ctx, result, outPath, picture) ?? new Dictionary<string, object?>(),
                previewTiles is null ? null : ctx.Get(previewTiles), every, extension);
        }, method.UsesTorch);
        return cmd;
    }

    /// <summary>
    /// Runs <paramref name="method"/> on values as parsed (image parameters as file paths) and writes the result to
    /// <paramref name="outPath"/>; messages name a file parameter with its flag and file.
    /// </summary>
    public static int Run(CliContext ctx, MethodDescriptor method, Dictionary<string, object?> given, string outPath, CancellationToken ct,
        Func<MethodValues, MethodResult, IReadOnlyDictionary<string, object?>>? extraReport = null, string? previewTilesPath = null,
        int saveEvery = 0, CommandExtension? extension = null)
    {
        // A sheet goes to a folder when the output is not an image file; else an unknown extension fails before the work.
        bool folder = method.MakesSheet && !ImageIO.IsImageFile(outPath);
        if (!folder) ImageIO.FormatForPath(outPath);
        // Weighted pictures: FILE or FILE:WEIGHT, read below with the other images.
        var weighted = new Dictionary<string, List<(string Path, double Weight)>>(StringComparer.Ordinal);
        foreach (var p in method.Parameters.Where(p => p.Kind == ParameterKind.Images))
            if (given.GetValueOrDefault(p.Name) is string[] specs) weighted[p.Name] = [.. specs.Select(s => StyleSpec.Parse(s, positive: false))];
        CliContext.CheckOutputIsNotInput(outPath, given.Values.OfType<string>().Concat(given.Values.OfType<string[]>().SelectMany(files => files))
            .Concat(weighted.Values.SelectMany(l => l.Select(w => w.Path))));
        if (previewTilesPath is not null)
        {
            ImageIO.FormatForPath(previewTilesPath);
            var full = Path.GetFullPath(previewTilesPath);
            if (given.Values.OfType<string>().Append(outPath).Any(f => string.Equals(Path.GetFullPath(f), full, StringComparison.Ordinal)))
                throw new AtelierUsageException($"--preview-tiles {previewTilesPath}: is the output or an input too; choose another file");
        }
        LoadImages(ctx, given, method.Parameters);
        foreach (var (name, list) in weighted)
            given[name] = list.Select(w => new WeightedImage(ImageIO.Load(w.Path), w.Weight)).ToList();
        LoadMaskLists(method, given);
        ResolveModels(ctx, method, given, ct);
        var values = MethodValues.Create(method, given);
        using var resources = new MethodResources();
        var frames = saveEvery > 0 ? new FrameSink(outPath, saveEvery) : null;
        var result = ctx.WithProgress($"{method.Area} {method.Verb}", progress =>
            method.Run(values, new MethodContext(() => ctx.Device)
                { Progress = progress, Cancellation = ct, Resources = resources, Preview = frames, Note = Notes(ctx), Warn = ctx.Warn, Threads = ctx.Threads }));
        if (folder)
        {
            Directory.CreateDirectory(outPath);
            var written = new List<string>();
            foreach (var (name, image) in result.Parts ?? [("result", result.Image)])
            {
                written.Add(Path.Combine(outPath, name + ".png"));
                ImageIO.Save(image, written[^1]);
            }
            var parts = new Dictionary<string, object?>(extraReport?.Invoke(values, result) ?? new Dictionary<string, object?>()) { ["outputs"] = written };
            Report(ctx, method, values, result, outPath, parts, $"wrote {written.Count} images to {outPath}");
            return CliRunner.Success;
        }
        ImageIO.Save(result.Image, outPath);
        var extra = extraReport?.Invoke(values, result);
        var figures = extension?.Report(ctx, values, result, resources);
        if (weighted.Count > 0 || figures is not null)
        {
            var more = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>());
            // The files as given, with their weights (the values only know the pictures).
            foreach (var (name, list) in weighted) more[char.ToLowerInvariant(name[0]) + name[1..]] = list.Select(w => new { path = w.Path, weight = w.Weight }).ToList();
            if (figures is not null) foreach (var (k, v) in figures) more[k] = v;
            extra = more;
        }
        if (previewTilesPath is not null)
        {
            ImageIO.Save(ImageOps.Tile(result.Image, 2, 2), previewTilesPath);
            extra = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>()) { ["previewTiles"] = previewTilesPath };
        }
        Report(ctx, method, values, result, outPath, extra);
        return CliRunner.Success;
    }

    /// <summary>Masks given several times (one per style): read as grey, each the size of the picture it lies over, named by its file.</summary>
    static void LoadMaskLists(MethodDescriptor method, Dictionary<string, object?> given)
    {
        foreach (var p in method.Parameters.Where(p => p.Kind == ParameterKind.Mask && p.Repeatable))
        {
            if (given.GetValueOrDefault(p.Name) is not string[] paths) continue;
            var over = p.Over is null ? null : given.GetValueOrDefault(p.Over) as Image;
            given[p.Name] = paths.Select(path =>
            {
                var mask = ImageIO.Load(path, new ImageLoadOptions { ColorMode = ColorMode.Gray });
                if (over is not null && (mask.Width != over.Width || mask.Height != over.Height))
                {
                    var label = method.Parameters.Single(o => o.Name == p.Over).Label.ToLowerInvariant();
                    throw new AtelierException($"{path}: the mask is {mask.Width}x{mask.Height} but the {label} is {over.Width}x{over.Height}; masks must have the {label}'s size");
                }
                return mask;
            }).ToList();
        }
    }

    /// <summary>Networks and models by name or file, resolved to files (a catalogue model is fetched on first use); a repeated one each.</summary>
    internal static void ResolveModels(CliContext ctx, MethodDescriptor method, Dictionary<string, object?> given, CancellationToken ct)
    {
        foreach (var p in method.Parameters.Where(p => p.Kind is ParameterKind.Features or ParameterKind.Model))
        {
            if (given.GetValueOrDefault(p.Name) is string[] names) { given[p.Name] = names.Select(n => ctx.ModelFile(n, p.Use!, ct)).ToList(); continue; }
            var name = given.GetValueOrDefault(p.Name) as string ?? p.Default as string;
            if (name is null) continue;
            given[p.Name] = p.Kind == ParameterKind.Features ? FeatureCliOption.Resolve(ctx, name, ct) : ctx.ModelFile(name, p.Use!, ct);
        }
    }

    /// <summary>Image and mask parameters given as files, read (masks as grey); messages then name the flag and the file.</summary>
    internal static void LoadImages(CliContext ctx, Dictionary<string, object?> given, IEnumerable<MethodParameter> parameters)
    {
        foreach (var p in parameters.Where(p => p.Kind is ParameterKind.Image or ParameterKind.Mask))
        {
            if (given.GetValueOrDefault(p.Name) is not string path) continue;
            var flag = ctx.FlagFor(p.Name);
            ctx.Spellings[p.Name] = p.Primary || flag == p.Name ? $"'{path}'" : $"{flag} '{path}'";
            given[p.Name] = ImageIO.Load(path, new ImageLoadOptions { ColorMode = p.Kind == ParameterKind.Mask ? ColorMode.Gray : ColorMode.Rgb });
        }
    }

    /// <summary>How the CLI spells a parameter's alias: one letter is a short option (C -> -c), else kebab case (Checkpoint -> --checkpoint).</summary>
    static string AliasFlag(string alias) => alias.Length == 1 ? "-" + alias.ToLowerInvariant() : "--" + CliContext.Kebab(alias);

    /// <summary>A note from the run, its parameters ({Name}) spelled as this command's flags.</summary>
    internal static Action<string> Notes(CliContext ctx) => message => ctx.Note(AtelierException.Naming(message).Render(ctx.FlagFor));

    /// <summary>The closing line (or --json object): output, size, the values used and the run's figures.</summary>
    public static void Report(CliContext ctx, MethodDescriptor method, MethodValues values, MethodResult result, string outPath, IReadOnlyDictionary<string, object?>? extra = null,
        string? human = null)
    {
        var json = new Dictionary<string, object?>
        {
            ["command"] = $"{method.Area} {method.Verb}", ["method"] = method.Id, ["output"] = outPath,
            ["width"] = result.Image.Width, ["height"] = result.Image.Height,
        };
        foreach (var (k, v) in values.Describe()) json[char.ToLowerInvariant(k[0]) + k[1..]] = v;
        foreach (var (k, v) in result.Info) json[k] = v;
        if (extra is not null) foreach (var (k, v) in extra) json[k] = v;
        var seconds = result.Info.TryGetValue("seconds", out var s) ? $" in {Convert.ToDouble(s, CultureInfo.InvariantCulture).ToString("0.0", CultureInfo.InvariantCulture)} s" : "";
        var seed = result.Info.TryGetValue("seed", out var sd) ? $", seed {sd}" : "";
        // An optimisation's steps and final losses, where it reports them.
        var steps = result.Info.TryGetValue("steps", out var st) ? $", {st} steps" : "";
        var losses = result.Info.TryGetValue("losses", out var l) && l is IEnumerable<KeyValuePair<string, object>> named
            ? ", " + string.Join(", ", named.Select(kv => $"{kv.Key} {(kv.Value is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : kv.Value)}")) : "";
        ctx.Result(json, (human ?? $"wrote {outPath} ({result.Image.Width}x{result.Image.Height}, {method.Title.ToLowerInvariant()})") + $"{seconds}{steps}{losses}{seed}");
    }

    /// <summary>`--save-every N`: every Nth step's picture written beside the output as OUT.NNNN.png.</summary>
    sealed class FrameSink(string outPath, int every) : IPreviewSink
    {
        public bool Wanted => true;
        public int Every => every;
        public void Show(Image image) { }
        public void Show(Image image, int step) => ImageIO.Save(image, FramePath(outPath, step));
    }

    /// <summary>OUT.NNNN.ext: the frame after <paramref name="step"/> steps, beside the output.</summary>
    public static string FramePath(string outPath, int step)
    {
        var dir = Path.GetDirectoryName(outPath) ?? "";
        return Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(outPath)}.{step.ToString("D4", CultureInfo.InvariantCulture)}{Path.GetExtension(outPath)}");
    }

    static string Describe(MethodParameter p)
    {
        var text = p.Help ?? p.Label;
        text = char.ToUpperInvariant(text[0]) + text[1..];
        return p.Default switch
        {
            null or false => text,
            ValueTuple<int, int> s => $"{text} [default: {s.Item1}x{s.Item2}]",
            var d => $"{text} [default: {Convert.ToString(d, CultureInfo.InvariantCulture)}]",
        };
    }
}
