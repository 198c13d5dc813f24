using System.CommandLine;
using Atelier.Methods;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// What a registered method's command adds that only a command line has: more files than the picture (an inversion's
/// latent file), and where the picture goes. Given to <see cref="RegisteredCommand.Create"/> by the area that needs it.
/// </summary>
public abstract class CommandExtension
{
    /// <summary>The help of --output when the extension changes what it names (null: the picture).</summary>
    public virtual string? OutputHelp => null;

    /// <summary>Adds the extension's options.</summary>
    public virtual void AddTo(Command command) { }

    /// <summary>Checks the extension's options before any work and says where the picture is written (--output unless moved).</summary>
    public virtual string PicturePath(CliContext ctx, string output) => output;

    /// <summary>Writes the extension's files once the picture is written; figures for the report.</summary>
    public virtual IReadOnlyDictionary<string, object?>? AfterRun(CliContext ctx, MethodResult result, string output, string picture) => null;
}
