using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Methods;
using Atelier.StyleGan;

namespace Atelier.Cli.Commands;

/// <summary>
/// The latent file an inversion writes from the command line (<see cref="InvertedCode"/>, the result's artifact):
/// `stylegan invert` writes it as --output with the reconstruction beside it; the degraded inversions write the picture
/// and, with --latent-out, the code.
/// </summary>
public static class InversionOutputs
{
    internal static CommandExtension? For(string id) => id switch
    {
        "stylegan.invert" => new LatentAsOutput(),
        "stylegan.superres" or "stylegan.inpaint" or "stylegan.sketch" or "stylegan.colorize" => new LatentBeside(),
        _ => null,
    };

    static void RequireSafetensors(string flag, string path)
    {
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new AtelierUsageException($"{flag} {path}: the latent is written as .safetensors");
    }

    static void Save(MethodResult result, string path) =>
        (result.Artifact as InvertedCode ?? throw new InvalidOperationException("an inversion returned no code")).Save(path);

    sealed class LatentAsOutput : CommandExtension
    {
        readonly Option<string?> _reconstruction = new("--reconstruction") { Description = "Where to write the reconstructed image (default: OUTPUT with .png)" };

        public override string OutputHelp => "Latent file to write (.safetensors); the reconstruction goes beside it as .png";
        public override void AddTo(Command command) => command.Options.Add(_reconstruction);

        public override string PicturePath(CliContext ctx, string output)
        {
            RequireSafetensors("--output", output);
            return ctx.Get(_reconstruction) ?? Path.ChangeExtension(output, ".png");
        }

        public override IReadOnlyDictionary<string, object?> AfterRun(CliContext ctx, MethodResult result, string output, string picture)
        {
            Save(result, output);
            return new Dictionary<string, object?> { ["latent"] = output, ["reconstruction"] = picture };
        }
    }

    sealed class LatentBeside : CommandExtension
    {
        readonly Option<string?> _latentOut = new("--latent-out") { Description = "Also write the found latent (.safetensors)" };

        public override void AddTo(Command command) => command.Options.Add(_latentOut);

        public override string PicturePath(CliContext ctx, string output)
        {
            if (ctx.Get(_latentOut) is { } path) RequireSafetensors("--latent-out", path);
            return output;
        }

        public override IReadOnlyDictionary<string, object?> AfterRun(CliContext ctx, MethodResult result, string output, string picture)
        {
            var path = ctx.Get(_latentOut);
            if (path is not null) Save(result, path);
            return new Dictionary<string, object?> { ["latent"] = path };
        }
    }
}
