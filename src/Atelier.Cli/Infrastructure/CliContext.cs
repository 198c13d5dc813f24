using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Atelier.Models;
using Atelier.Runtime;
using static TorchSharp.torch;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// What a command's action gets: the parsed global options, the output writers, and helpers for notes,
/// results (human or --json) and progress bars. Commands stay thin: parse, call the library, report.
/// </summary>
public sealed class CliContext
{
    public ParseResult Parse { get; }
    public TextWriter Out { get; }
    public TextWriter Err { get; }
    public bool Quiet { get; }
    public bool Json { get; }
    public long? Seed { get; }
    public string DeviceSpec { get; }
    public int Threads { get; }
    /// <summary>--offline (the environment's ATELIER_OFFLINE counts too, through <see cref="Models"/>).</summary>
    public bool Offline { get; }
    public string? Mirror { get; }
    Device? _device;

    internal CliContext(ParseResult parse, TextWriter stdout, TextWriter stderr)
    {
        Parse = parse;
        Out = stdout;
        Err = stderr;
        Quiet = parse.GetValue(GlobalOptions.Quiet);
        Json = parse.GetValue(GlobalOptions.Json);
        Seed = parse.GetValue(GlobalOptions.Seed);
        DeviceSpec = parse.GetValue(GlobalOptions.Device) ?? "auto";
        Threads = parse.GetValue(GlobalOptions.Threads);
        Offline = parse.GetValue(GlobalOptions.Offline);
        Mirror = parse.GetValue(GlobalOptions.Mirror);
    }

    /// <summary>The model catalogue and cache this invocation uses: the environment's (or a test's), with --offline and --mirror applied.</summary>
    public ModelStore Models
    {
        get
        {
            var store = ModelStore.Current;
            if (!Offline && Mirror is null) return store;
            return store with { Options = store.Options with { Offline = store.Options.Offline || Offline, Mirror = Mirror ?? store.Options.Mirror } };
        }
    }

    /// <summary>
    /// The file a model option names (a path, a shipped model, or a catalogue model fetched on first use with a
    /// progress bar), through the library's one resolver (<see cref="ModelResolver"/>); null stays null.
    /// </summary>
    public string ModelFile(string nameOrPath, ModelUse use, CancellationToken ct = default)
    {
        var store = Models;
        var found = ModelResolver.Find(nameOrPath, use, store);
        return found.NeedsFetch
            ? WithProgress("fetch", p => ModelResolver.Resolve(nameOrPath, use, p, ct, store, Note))
            : ModelResolver.Resolve(nameOrPath, use, null, ct, store, Note);
    }

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    /// <summary>Refuses an output path that is one of the inputs: a run never overwrites the picture it reads.</summary>
    public static void CheckOutputIsNotInput(string output, IEnumerable<string?> inputs)
    {
        var target = Path.GetFullPath(output);
        foreach (var input in inputs)
            if (input is not null && string.Equals(Path.GetFullPath(input), target, StringComparison.Ordinal))
                throw new AtelierUsageException($"--output {output}: is an input too; choose another output (a run never overwrites its input)");
    }
    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>
    /// The flag that sets a library parameter (an options record's property, as <see cref="AtelierUsageException"/>
    /// names it): its kebab-case spelling among the invoked command's options and aliases (BatchSize -> --batch-size),
    /// else an entry of <see cref="FlagSpellings"/>, else the library's own name.
    /// </summary>
    public string FlagFor(string parameter)
    {
        if (Spellings.TryGetValue(parameter, out var spelled)) return spelled;
        var kebab = "--" + Kebab(parameter);
        var options = Parse.CommandResult.Command.Options.Concat(Parse.RootCommandResult.Command.Options).ToList();
        // Spelled as typed where the option has several long spellings (--lr for --learning-rate); a short one (-o) by its name.
        if (options.FirstOrDefault(o => o.Name == kebab || o.Aliases.Contains(kebab)) is { } option)
            return Parse.GetResult(option)?.IdentifierToken?.Value is { } typed && typed.StartsWith("--", StringComparison.Ordinal) ? typed : kebab;
        if (FlagSpellings.TryGetValue(parameter, out var spellings))
            foreach (var flag in spellings)
                if (options.Any(o => o.Name == flag || o.Aliases.Contains(flag))) return flag;
        return parameter;
    }

    /// <summary>
    /// How this invocation names some parameters in messages, set by the command (a file argument: "--mask 'm.png'",
    /// the positional image: "'photo.jpg'"), before the kebab-case rule.
    /// </summary>
    public Dictionary<string, string> Spellings { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Library parameters whose flags are not their kebab-case names. Where several commands spell one parameter
    /// differently, the first flag the invoked command has wins.
    /// </summary>
    static readonly Dictionary<string, string[]> FlagSpellings = new(StringComparer.Ordinal)
    {
        // Shared by the optimisers and trainers.
        ["LearningRate"] = ["--lr"],
        ["ContentLayers"] = ["--content-layer"], // style fast-train; style gatys has --content-layers
        // style gatys / style texture: the options' style layers and the Run method's styles.
        ["StyleLayers"] = ["--layers"],
        ["StyleLayerWeights"] = ["--layer-weights"],
        ["Styles"] = ["--style"],
        // Any-size inference: SizePolicy and TilingOptions.
        ["ShorterSide"] = ["--size"],
        ["TileSize"] = ["--tile"],
        // Trainers' run folder: style trainers have --run-dir (default OUTPUT.run); pix2pix, cyclegan and stylegan train write into --output.
        ["RunDirectory"] = ["--run-dir", "--output"],
        // pix2pix / cyclegan train (the reference's names).
        ["Generator"] = ["--arch"],
        ["Discriminator"] = ["--netD"],
        // data pairs.
        ["Source"] = ["--from"],
        ["TestImages"] = ["--test"],
        ["OutputDir"] = ["--output"],
        // data pictures / data glyphs.
        ["HoldOutEvery"] = ["--test-every"],
        // stylegan train.
        ["StyleDim"] = ["--latent"],
        ["SampleCount"] = ["--samples"],
        // video.
        ["StatisticsMomentum"] = ["--stats-momentum"],
        // studio: StudioOptions.
        ["ModelsDirectory"] = ["--models"],
        ["ModelFiles"] = ["--model"],
        ["MaxConcurrentJobs"] = ["--jobs"],
        ["MaxQueuedJobs"] = ["--queue"],
        ["MaxUploadBytes"] = ["--max-upload"],
        ["ShutdownGrace"] = ["--grace"],
        ["ThreadsPerJob"] = ["--threads"],
        ["MaxConnectionsPerClient"] = ["--max-connections"],
    };

    /// <summary>BatchSize -> batch-size, R1 -> r1, NLayersD -> n-layers-d (the registry's rule, one place).</summary>
    public static string Kebab(string name) => Atelier.Methods.MethodParameter.Kebab(name);

    /// <summary>The torch device chosen by --device (parsed on first use, so commands without tensors never load libtorch).</summary>
    public Device Device => _device ??= TorchRuntime.ParseDevice(DeviceSpec);

    /// <summary>The seed to use: --seed, or a fresh one (reported in results so a run can be repeated).</summary>
    public long SeedOrRandom() => Seed ?? Random.Shared.NextInt64(0, int.MaxValue);

    /// <summary>A note for a person (stderr; hidden by --quiet and --json).</summary>
    public void Note(string message)
    {
        if (!Quiet && !Json) Err.WriteLine(message);
    }

    /// <summary>A warning: shown unless --quiet (stderr, so --json output stays clean).</summary>
    public void Warn(string message)
    {
        if (!Quiet) Err.WriteLine("warning: " + message);
    }

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The command's result: with --json one object on stdout; otherwise <paramref name="human"/> is printed
    /// (unless --quiet).
    /// </summary>
    public void Result(object result, string? human = null)
    {
        if (Json) Out.WriteLine(JsonSerializer.Serialize(result, result.GetType(), JsonOptions));
        else if (!Quiet && human != null) Out.WriteLine(human);
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar (ETA and current figures) on stderr.</summary>
    public T WithProgress<T>(string title, Func<IProgress<ProgressReport>, T> work) =>
        ProgressRenderer.Run(this, title, work);

    public void WithProgress(string title, Action<IProgress<ProgressReport>> work) =>
        ProgressRenderer.Run<object?>(this, title, p => { work(p); return null; });
}
