using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Methods;

namespace Atelier.Cli.Commands;

/// <summary>
/// `stylegan morph --gif FILE`: the morph's frames also as an animated GIF, there and back so the loop has no jump.
/// A file is the command line's to write; the studio shows the strip.
/// </summary>
internal sealed class MorphAnimation : CommandExtension
{
    readonly Option<string?> _gif = new("--gif") { Description = "Also write the frames as an animated GIF (there and back, looping)" };
    readonly Option<int> _delay = new("--delay") { Description = "GIF frame time in milliseconds", DefaultValueFactory = _ => 120 };

    public override void AddTo(Command command)
    {
        command.Options.Add(_gif);
        command.Options.Add(_delay);
    }

    public override string PicturePath(CliContext ctx, string output)
    {
        if (ctx.Get(_gif) is { } gif && !gif.EndsWith(".gif", StringComparison.OrdinalIgnoreCase))
            throw new AtelierUsageException($"--gif {gif}: expected a .gif path");
        if (ctx.Get(_delay) < 10) throw new AtelierUsageException($"--delay {ctx.Get(_delay)}: must be at least 10 ms");
        return output;
    }

    public override IReadOnlyDictionary<string, object?> AfterRun(CliContext ctx, MethodResult result, string output, string picture)
    {
        var path = ctx.Get(_gif);
        if (path is not null)
        {
            var frames = (result.Parts ?? [("result", result.Image)]).Select(p => p.Image).ToList();
            GifWriter.Save([.. frames, .. Enumerable.Reverse(frames).Skip(1).SkipLast(1)], path, ctx.Get(_delay));
        }
        return new Dictionary<string, object?> { ["gif"] = path };
    }
}
