using System.CommandLine;
using Atelier.Cli.Cli;
using Atelier.StyleGan.Training;

namespace Atelier.Cli.Commands;

/// <summary>`atelier data shapes`: synthetic training sets for quick GAN experiments.</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var cmd = new Command("data", "Make small training data sets");
        var output = new Option<string>("--output", "-o") { Description = "Folder for the images", Required = true };
        var count = new Option<int>("--count") { Description = "How many images", DefaultValueFactory = _ => 2000 };
        var size = new Option<int>("--size") { Description = "Side in pixels", DefaultValueFactory = _ => 32 };
        var shapes = new Command("shapes", "Coloured circles, squares and triangles on plain backgrounds (seedable with --seed)") { output, count, size };
        CliRunner.SetAction(shapes, (ctx, ct) =>
        {
            var dir = ctx.Get(output)!;
            var n = ctx.Get(count);
            var paths = ctx.WithProgress("shapes", p => ShapesDataset.Write(dir, n, ctx.Get(size), ctx.Seed ?? 0, p, ct));
            ctx.Result(new { command = "data shapes", count = paths.Count, size = ctx.Get(size), output = dir }, $"wrote {paths.Count} shape images to {dir}");
            return CliRunner.Success;
        });
        cmd.Subcommands.Add(shapes);
        return cmd;
    }
}
