using System.CommandLine;
using System.Runtime.InteropServices;
using Atelier.Cli.Infrastructure;
using Atelier.Cli.Commands;
using Atelier.Cli.Commands.Style;

namespace Atelier.Cli;

public static class Program
{
    static readonly AsyncLocal<(TextWriter Out, TextWriter Err)?> _writers = new();

    /// <summary>Where the running invocation writes (tests run the CLI in-process with their own writers).</summary>
    internal static (TextWriter Out, TextWriter Err) Writers => _writers.Value ?? (Console.Out, Console.Error);

    /// <summary>
    /// The command tree, one pattern: `atelier AREA VERB`. Areas are the method families (texture, gatys, fast-style,
    /// adain, pix2pix, cyclegan, stylegan) and the utilities (video, data, checkpoint, models, metrics, export); one word per idea: `stylize`
    /// applies a trained style network, `translate` a translation generator, `train` trains any of them. The earlier
    /// spellings (style ..., invert, edit ..., translate) still run, hidden from help.
    /// </summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Atelier: image editing with generative models and texture synthesis");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(TextureCommand.Create());
        root.Subcommands.Add(CommandTree.Area("gatys", "Gatys et al.: texture synthesis and style transfer by optimising the image's deep features (built-in ImageNet ResNet-18 by default)",
            RegisteredCommand.Create(Atelier.Style.GatysMethods.Texture),
            RegisteredCommand.Create(Atelier.Style.GatysMethods.Transfer)));
        root.Subcommands.Add(CommandTree.Area("fast-style", "Fast style transfer (Johnson et al. 2016): one trained network per style, any size in one pass",
            RegisteredCommand.Create(Atelier.Style.FastStyleMethods.Stylize),
            CommandTree.Renamed(FastStyleTrainCommand.Create(), "train"),
            FastStyleEvaluateCommand.Create()));
        root.Subcommands.Add(CommandTree.Area("adain", "Arbitrary style transfer in one pass: AdaIN (Huang and Belongie 2017) and WCT, with a trained decoder",
            RegisteredCommand.Create(Atelier.Style.AdaInMethods.Stylize),
            CommandTree.Renamed(AdaInTrainCommand.Create(), "train"),
            AdaInEvaluateCommand.Create()));
        root.Subcommands.Add(Pix2PixCommand.Create());
        root.Subcommands.Add(CycleGanCommand.Create());
        root.Subcommands.Add(StyleGanCommand.Create());
        root.Subcommands.Add(VideoCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(CheckpointCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(StudioCommand.Create());
        // Earlier spellings.
        root.Subcommands.Add(CommandTree.Hidden(StyleCommand.Create()));
        root.Subcommands.Add(CommandTree.Hidden(RegisteredCommand.Create(Atelier.StyleGan.InversionMethods.Invert)));
        root.Subcommands.Add(CommandTree.Hidden(EditCommand.Create()));
        root.Subcommands.Add(CommandTree.Hidden(RegisteredCommand.Create(Atelier.Translation.TranslationMethods.Pix2Pix)));
        return root;
    }

    public static int Main(string[] args)
    {
        using var stop = new StopSignals(Console.Error);
        return Run(args, Console.Out, Console.Error, stop.Token);
    }

    /// <summary>Runs the CLI with the given writers; used by Main and by in-process tests.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var previous = _writers.Value;
        _writers.Value = (stdout, stderr);
        try
        {
            var parse = BuildRoot().Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var e in parse.Errors) stderr.WriteLine("error: " + e.Message);
                stderr.WriteLine("Run 'atelier --help' (or COMMAND --help) for usage.");
                if (args.Contains("--json")) CliRunner.WriteJsonError(stdout, string.Join("; ", parse.Errors.Select(e => e.Message)), "usage", CliRunner.Usage);
                return CliRunner.Usage;
            }
            // Help and usage lines name the program as people type it (atelier, the tool's command), not as its assembly.
            var config = new InvocationConfiguration { Output = new ProgramNameWriter(stdout), Error = stderr, ProcessTerminationTimeout = null };
            return parse.InvokeAsync(config, ct).GetAwaiter().GetResult();
        }
        finally { _writers.Value = previous; }
    }
}

/// <summary>Writes through, naming the program `atelier` where System.CommandLine's help says its assembly name.</summary>
sealed class ProgramNameWriter(TextWriter inner) : TextWriter
{
    static readonly string AssemblyName = RootCommand.ExecutableName;

    public override System.Text.Encoding Encoding => inner.Encoding;
    public override void Write(char value) => inner.Write(value);
    public override void Write(string? value) => inner.Write(Rename(value));
    public override void WriteLine(string? value) => inner.WriteLine(Rename(value));
    public override void Flush() => inner.Flush();

    static string? Rename(string? text) => text is null || AssemblyName == "atelier" ? text
        : text.Replace(AssemblyName + " ", "atelier ", StringComparison.Ordinal);
}
