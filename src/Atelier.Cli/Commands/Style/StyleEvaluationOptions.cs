using System.CommandLine;
using System.Globalization;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Style;

namespace Atelier.Cli.Commands.Style;

/// <summary>
/// The options `fast-style evaluate` and `adain evaluate` share: the held-out folder, the square the pictures are
/// cropped to, the Gatys comparison's steps and the grid file; read and checked in one place.
/// </summary>
sealed class StyleEvaluationOptions(string gridLayout)
{
    public readonly Option<string> Images = new("--images") { Description = "Folder of held-out pictures (not used in training)", Required = true };
    public readonly Option<int> Size = new("--size") { Description = "Pictures are centre-cropped to squares of this size", DefaultValueFactory = _ => 256 };
    public readonly Option<int> GatysSteps = new("--gatys-steps") { Description = "L-BFGS steps of the Gatys comparison (0: none)", DefaultValueFactory = _ => 100 };
    public readonly Option<string?> Output = new("--output", "-o") { Description = $"A grid ({gridLayout}) as PNG" };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Images); cmd.Options.Add(Size); cmd.Options.Add(GatysSteps); cmd.Options.Add(Output);
    }

    /// <summary>The checked values and the held-out pictures by name.</summary>
    public (int Size, int GatysSteps, string? Output, List<(string Name, Image Image)> Pictures) Read(CliContext ctx)
    {
        int size = ctx.Get(Size), steps = ctx.Get(GatysSteps);
        if (size < 16 || size > 2048) throw new AtelierUsageException($"--size {size}: must be between 16 and 2048");
        if (steps < 0) throw new AtelierUsageException($"--gatys-steps {steps}: must be 0 or more");
        if (ctx.Get(Output) is { } o) ImageIO.FormatForPath(o);
        var files = StyleTrainingSupport.ImagesIn(ctx.Get(Images)!, "held-out pictures");
        return (size, steps, ctx.Get(Output), files.Select(f => (Path.GetFileNameWithoutExtension(f), ImageIO.Load(f))).ToList());
    }

    /// <summary>A figure as the notes and grids print it ("-" for none).</summary>
    public static string Figure(double? value) => value is double d ? d.ToString("0.000", CultureInfo.InvariantCulture) : "-";
}
