using System.CommandLine;
using System.Globalization;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Style;

namespace Atelier.Cli.Commands.Style;

/// <summary>`atelier gatys texture SAMPLE -o OUT --size WxH`: Gatys et al. (2015) texture synthesis.</summary>
public static class StyleTextureCommand
{
    public static Command Create()
    {
        var sample = new Argument<string>("SAMPLE") { Description = "The texture sample image" };
        var size = new Option<string>("--size") { Description = "Output size WxH, e.g. 256x256 (any size)", Required = true };
        var sampleSize = new Option<int?>("--sample-size") { Description = "Resize the sample so its longer side is this many pixels first (the texture's elements scale with it); default: as it is" };
        var tileable = new Option<bool>("--tileable") { Description = "Make the texture tile seamlessly (circular padding in the network; the output wraps around)" };
        var shared = new GatysCliOptions(defaultIterations: 300);
        var cmd = new Command("texture", "Synthesise a texture by matching Gram matrices of a pretrained network's features (Gatys et al. 2015)") { sample, size, sampleSize, tileable };
        shared.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var (w, h) = TextureCommand.ParseSize(ctx.Get(size)!);
            var outPath = ctx.Get(shared.Output)!;
            ImageIO.FormatForPath(outPath);
            CliContext.CheckOutputIsNotInput(outPath, [ctx.Get(sample)]);
            long seed = ctx.SeedOrRandom();
            var src = ImageIO.Load(ctx.Get(sample)!);
            if (ctx.Get(sampleSize) is int ss)
            {
                if (ss < 16 || ss > 8192) throw new AtelierUsageException($"--sample-size {ss}: must be 16 to 8192");
                src = ImageResize.ResizeToFit(src, ss, allowUpscale: true);
            }
            var options0 = shared.Apply(ctx, new GatysTextureOptions { Tileable = ctx.Get(tileable) }, outPath, seed);
            using var vgg = shared.LoadNetwork(ctx);
            var options = shared.Resolve(ctx, options0, vgg);
            var result = ctx.WithProgress("gatys texture", p => GatysTexture.Synthesize(src, w, h, vgg, options, p, ct));
            ImageIO.Save(result.Image, outPath);
            ctx.Result(new
            {
                command = "gatys texture",
                output = outPath,
                width = w,
                height = h,
                features = vgg.Description,
                steps = result.Steps,
                seed,
                seconds = Math.Round(result.Seconds, 3),
                losses = GatysCliOptions.RoundLosses(result.Losses),
                scales = result.Levels.Select(l => l.ToString()),
                tileable = options.Tileable,
                // How visible the wrap is: the seam where the texture meets its own copy against its other neighbouring columns and rows (1 = invisible).
                wrapSeam = Math.Round(Atelier.Quality.SeamEnergy.Wrap(result.Image).Ratio, 3),
                quality = ctx.Json ? GatysCliOptions.Quality(result.Image, src, vgg) : null,
            }, $"wrote {outPath} ({w}x{h}) in {result.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s, {result.Steps} steps, {GatysCliOptions.FormatLosses(result.Losses)}, seed {seed}");
            return CliRunner.Success;
        });
        return cmd;
    }
}
