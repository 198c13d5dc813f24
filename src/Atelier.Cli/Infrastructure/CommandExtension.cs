using System.CommandLine;
using Atelier.Methods;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// What a registered method's command adds that only a command line has: more files than the picture (an inversion's
/// latent file), where the picture goes, and figures only a script asks for (--json). Everything that changes the picture
/// is a registered parameter instead, so the studio and the demo offer it too. Found by method id (<see cref="For"/>).
/// </summary>
public abstract class CommandExtension
{
    /// <summary>The extension of the method with this id, or null.</summary>
    public static CommandExtension? For(string id) => id switch
    {
        "gatys.texture" => Commands.Style.GatysCliFigures.Texture,
        "gatys.transfer" => Commands.Style.GatysCliFigures.Transfer,
        "stylegan.morph" => new Commands.MorphAnimation(),
        _ => Commands.InversionOutputs.For(id),
    };

    /// <summary>The help of --output when the extension changes what it names (null: the picture).</summary>
    public virtual string? OutputHelp => null;

    /// <summary>Adds the extension's options.</summary>
    public virtual void AddTo(Command command) { }

    /// <summary>Checks the extension's options before any work and says where the picture is written (--output unless moved).</summary>
    public virtual string PicturePath(CliContext ctx, string output) => output;

    /// <summary>Writes the extension's files once the picture is written; figures for the report.</summary>
    public virtual IReadOnlyDictionary<string, object?>? AfterRun(CliContext ctx, MethodResult result, string output, string picture) => null;

    /// <summary>Further figures for the report (null: none this time), made before the run's networks are released.</summary>
    public virtual IReadOnlyDictionary<string, object?>? Report(CliContext ctx, MethodValues values, MethodResult result, MethodResources resources) => null;
}
