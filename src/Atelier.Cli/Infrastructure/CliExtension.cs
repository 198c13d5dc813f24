using Atelier.Methods;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// What a registered method adds on the command line alone, by method id: figures only a script asks for (--json), made
/// after the run while the networks it borrowed are still at hand. Everything that changes the picture is a registered
/// parameter instead, so the studio and the demo offer it too.
/// </summary>
public sealed record CliExtension
{
    /// <summary>Further figures for the report (null: none this time), after the run and before its networks are released.</summary>
    public Func<CliContext, MethodValues, MethodResult, MethodResources, IReadOnlyDictionary<string, object?>?>? Report { get; init; }

    static readonly Dictionary<string, CliExtension> ById = new(StringComparer.Ordinal)
    {
        ["gatys.texture"] = Commands.Style.GatysCliFigures.Texture,
        ["gatys.transfer"] = Commands.Style.GatysCliFigures.Transfer,
    };

    /// <summary>The extension of the method with this id, or null.</summary>
    public static CliExtension? For(string id) => ById.GetValueOrDefault(id);
}
