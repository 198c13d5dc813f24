using System.CommandLine;
using Atelier.Cli.Commands.Style;

namespace Atelier.Cli.Commands;

/// <summary>
/// `atelier style ...`: neural texture synthesis and style transfer. Each subcommand lives in Commands/Style/ and is
/// created by its own static Create(); add new ones with one line here.
/// </summary>
public static class StyleCommand
{
    public static Command Create()
    {
        var cmd = new Command("style", "Neural style: Gatys texture synthesis and style transfer, fast style, AdaIN and WCT (built-in ImageNet ResNet-18 features by default)");
        cmd.Subcommands.Add(Infrastructure.RegisteredCommand.Create(Atelier.Style.GatysMethods.Texture));
        cmd.Subcommands.Add(Infrastructure.CommandTree.Renamed(Infrastructure.RegisteredCommand.Create(Atelier.Style.GatysMethods.Transfer), "gatys"));
        cmd.Subcommands.Add(Infrastructure.CommandTree.Renamed(Infrastructure.RegisteredCommand.Create(Atelier.Style.FastStyleMethods.Stylize), "fast"));
        cmd.Subcommands.Add(Infrastructure.CommandTree.Renamed(Infrastructure.RegisteredCommand.Create(Atelier.Style.AdaInMethods.Stylize), "adain"));
        cmd.Subcommands.Add(FastStyleTrainCommand.Create());
        cmd.Subcommands.Add(AdaInTrainCommand.Create());
        return cmd;
    }
}
