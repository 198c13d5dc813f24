using System.CommandLine;
using System.Globalization;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Style;

namespace Atelier.Cli.Commands.Style;

/// <summary>`atelier gatys transfer CONTENT --style S[:w] ... -o OUT`: Gatys et al. (2016) style transfer by optimisation.</summary>
public static class GatysCommand
{
    public static Command Create()
    {
        var content = new Argument<string>("CONTENT") { Description = "The content image" };
        var styles = new Option<string[]>("--style", "-s") { Description = "Style image, optionally with a weight: a.jpg:0.7 (repeat to mix styles)", Required = true };
        var size = new Option<int>("--size") { Description = "Longer side of the output in pixels (the content is resized to it)", DefaultValueFactory = _ => 512 };
        var contentWeight = new Option<double>("--content-weight") { Description = "Weight of the content loss", DefaultValueFactory = _ => 1.0 };
        var contentLayers = new Option<string[]>("--content-layers") { Description = "Content layers (default: the network's recipe, layer3.1 on ResNet-18, relu4_2 on VGG)", AllowMultipleArgumentsPerToken = true };
        var init = new Option<string>("--init") { Description = "Start from the content, noise or the style image", DefaultValueFactory = _ => "content" };
        init.AcceptOnlyFromAmong("content", "noise", "style");
        var preserve = new Option<string?>("--preserve-color") { Description = "Keep the content's colours: luminance (YIQ) or histogram (recolour the style first)" };
        preserve.AcceptOnlyFromAmong("luminance", "histogram");
        var styleScale = new Option<double>("--style-scale") { Description = "Style image's longer side relative to the output's (bigger = larger brush strokes)", DefaultValueFactory = _ => 1.0 };
        var shared = new GatysCliOptions(defaultIterations: 300);
        var cmd = new Command("gatys", "Style transfer by optimising the image (Gatys et al. 2016)")
            { content, styles, size, contentWeight, contentLayers, init, preserve, styleScale };
        shared.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var outPath = ctx.Get(shared.Output)!;
            ImageIO.FormatForPath(outPath);
            CliContext.CheckOutputIsNotInput(outPath, [ctx.Get(content), .. ParseStyles(ctx.Get(styles) ?? []).Select(s => s.Path)]);
            int n = ctx.Get(size);
            if (n < 16 || n > Atelier.Inference.SizePolicy.MaxSideLimit) throw new AtelierUsageException($"--size {n}: must be 16 to {Atelier.Inference.SizePolicy.MaxSideLimit} (sizes that do not fit --max-memory whole are refined in tiles)");
            var parsed = ParseStyles(ctx.Get(styles) ?? []);
            long seed = ctx.SeedOrRandom();
            var contentImage = ImageResize.ResizeToFit(ImageIO.Load(ctx.Get(content)!), n, allowUpscale: true);
            var styleImages = parsed.Select(s => new WeightedStyle(ImageIO.Load(s.Path), s.Weight)).ToList();
            var cl = GatysCliOptions.Split(ctx.Get(contentLayers));
            foreach (var l in cl)
                if (!Networks.FeatureNetworks.IsAnyLayerName(l)) throw new AtelierUsageException($"--content-layers: unknown layer '{l}'; use names like layer3.1 (ResNet-18) or relu4_2 (VGG)");
            var options = shared.Apply(ctx, new GatysStyleOptions(), outPath, seed) with
            {
                ContentWeight = ctx.Get(contentWeight),
                ContentLayers = cl.Count > 0 ? cl : null,
                Init = ctx.Get(init) switch { "noise" => GatysInit.Noise, "style" => GatysInit.Style, _ => GatysInit.Content },
                PreserveColor = ctx.Get(preserve) switch { "luminance" => ColorPreservation.Luminance, "histogram" => ColorPreservation.Histogram, _ => ColorPreservation.None },
                StyleScale = ctx.Get(styleScale),
            };
            using var vgg = shared.LoadNetwork(ctx);
            options = shared.Resolve(ctx, options, vgg);
            if (cl.Count == 0 && !options.ContentLayers!.All(vgg.LayerNames.Contains))
            {
                // The default content layer relu4_2 is one past the end of a relu4_1 file: take the deepest ReLU there is.
                var deepest = vgg.LayerNames.Last(n => n.StartsWith("relu", StringComparison.Ordinal));
                ctx.Note($"note: this network stops at {vgg.LastLayer}; content layer {deepest}");
                options = options with { ContentLayers = [deepest] };
            }
            var result = ctx.WithProgress("gatys transfer", p => GatysStyleTransfer.Run(contentImage, styleImages, vgg, options, p, ct));
            ImageIO.Save(result.Image, outPath);
            // A tiled run's seam figure: the energy across the borders of its unmoved tile grid against its other neighbouring columns and rows (1 = no seam).
            var (borderColumns, borderRows) = result.Levels.Count > 0 ? result.Levels[^1].TileBorders() : ([], []);
            double? seam = borderColumns.Length + borderRows.Length > 0 ? Math.Round(Atelier.Quality.SeamEnergy.Lines(result.Image, borderColumns, borderRows).Ratio, 3) : null;
            ctx.Result(new
            {
                command = "gatys transfer",
                output = outPath,
                width = result.Image.Width,
                height = result.Image.Height,
                styles = parsed.Select(s => new { path = s.Path, weight = s.Weight }),
                features = vgg.Description,
                steps = result.Steps,
                seed,
                seconds = Math.Round(result.Seconds, 3),
                losses = GatysCliOptions.RoundLosses(result.Losses),
                scales = result.Levels.Select(l => l.ToString()),
                seam,
                // Measured against the first style at the scale the transfer used it.
                quality = ctx.Json ? GatysCliOptions.Quality(result.Image,
                    ImageResize.ResizeToFit(styleImages[0].Image, (int)Math.Round(options.StyleScale * Math.Max(result.Image.Width, result.Image.Height)), allowUpscale: true), vgg) : null,
            }, $"wrote {outPath} ({result.Image.Width}x{result.Image.Height}) in {result.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s, {result.Steps} steps, {GatysCliOptions.FormatLosses(result.Losses)}, seed {seed}{(seam is double sf ? $", tile-border seam {sf.ToString(CultureInfo.InvariantCulture)}" : "")}");
            return CliRunner.Success;
        });
        return cmd;
    }

    /// <summary>"a.jpg" or "a.jpg:0.7" (the weight after the last colon, when it parses as a number).</summary>
    internal static List<(string Path, double Weight)> ParseStyles(IReadOnlyList<string> values)
    {
        if (values.Count == 0) throw new AtelierUsageException("--style: at least one style image is needed");
        var list = new List<(string, double)>();
        foreach (var v in values) list.Add(StyleSpec.Parse(v, positive: true));
        return list;
    }
}
