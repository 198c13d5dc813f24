using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.StyleGan;

namespace Atelier.Cli.Commands;

/// <summary>
/// `atelier edit ...` (the earlier spelling of `atelier stylegan ...`): Image2StyleGAN edits. Latent arithmetic (morph,
/// crossover, expression) on codes given as seeds or latent files, and the inversions under a known degradation
/// (superres, inpaint, sketch, colorize), all registered methods.
/// </summary>
public static class EditCommand
{
    public static Command Create()
    {
        var cmd = new Command("edit", "Edit with a StyleGAN2 generator: morph, crossover, expression, superres, inpaint, sketch, colorize");
        // Registered methods (StyleGan/LatentEditMethods, InversionMethods), under their earlier area.
        foreach (var method in new[] { LatentEditMethods.Morph, LatentEditMethods.Crossover, LatentEditMethods.Expression, InversionMethods.SuperResolution, InversionMethods.Inpaint,
                     InversionMethods.Sketch, InversionMethods.Colorize })
            cmd.Subcommands.Add(RegisteredCommand.Create(method));
        return cmd;
    }
}
