using System.CommandLine;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// Helpers for the command tree's one pattern, `atelier AREA VERB`: a command built by its factory can be placed
/// under another name (a family's verb), and the earlier spellings stay as hidden commands so scripts keep working.
/// </summary>
public static class CommandTree
{
    /// <summary>An area (a method family or a utility) holding its verbs.</summary>
    public static Command Area(string name, string description, params Command[] verbs)
    {
        var area = new Command(name, description);
        foreach (var v in verbs) area.Subcommands.Add(v);
        return area;
    }

    /// <summary>The same command (arguments, options, subcommands, action) under another name.</summary>
    public static Command Renamed(Command command, string name, string? description = null)
    {
        var renamed = new Command(name, description ?? command.Description) { Hidden = command.Hidden };
        foreach (var a in command.Arguments) renamed.Arguments.Add(a);
        foreach (var o in command.Options) renamed.Options.Add(o);
        foreach (var s in command.Subcommands) renamed.Subcommands.Add(s);
        renamed.Action = command.Action;
        return renamed;
    }

    /// <summary>An earlier spelling: it still runs, and help no longer lists it.</summary>
    public static Command Hidden(Command command)
    {
        command.Hidden = true;
        return command;
    }
}
