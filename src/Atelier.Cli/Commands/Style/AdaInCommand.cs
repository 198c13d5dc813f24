using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Networks;
using Atelier.Style;
using static TorchSharp.torch;

namespace Atelier.Cli.Commands.Style;

/// <summary>
/// `atelier adain stylize CONTENT --style S[:w]... --vgg V --decoder D -o OUT`: arbitrary style transfer with AdaIN
/// (Huang and Belongie 2017) or WCT (Li et al. 2017), with alpha, style interpolation, colour preservation and masks.
/// </summary>
public static class AdaInCommand
{
    public static Command Create()
    {
        var content = new Argument<string>("CONTENT") { Description = "The content image" };
        var styles = new Option<string[]>("--style", "-s") { Description = "Style image, optionally with a weight: a.jpg:0.7 (repeat to interpolate styles)", Required = true };
        var vgg = new Option<string?>("--vgg") { Description = "The normalised VGG-19 encoder: vgg_normalised.pth or the catalogue's adain-vgg (fetched on first use); default: the built-in seeded random one, which fits only decoders trained on it by `adain train` without --vgg" };
        var decoders = new Option<string[]>("--decoder") { Description = "Decoder (decoder.pth, relu4_1, or the catalogue's adain-decoder); for multi-level WCT repeat it, one per level", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Output image", Required = true };
        var alpha = new Option<double>("--alpha") { Description = "Content-style trade-off in [0,1]", DefaultValueFactory = _ => 1.0 };
        var preserve = new Option<bool>("--preserve-color") { Description = "Keep the content's colours (the style is recoloured to them first)" };
        var masks = new Option<string[]>("--mask") { Description = "Spatial control: one mask per style (white = where it applies), or one mask for two styles (white = first, black = second); content-sized" };
        var transform = new Option<string>("--transform") { Description = "Feature transform: adain or wct", DefaultValueFactory = _ => "adain" };
        transform.AcceptOnlyFromAmong("adain", "wct");
        var size = new Option<int?>("--size") { Description = "Resize the content so its shorter side is this many pixels (default: keep its size)" };
        var styleSize = new Option<int?>("--style-size") { Description = "Resize the styles so their shorter side is this many pixels (default: keep their size)" };
        var anySize = new AnySizeCliOptions();
        var cmd = new Command("adain", "Arbitrary style transfer in one pass (AdaIN, or WCT with --transform wct); any size, tiled within --max-memory")
            { content, styles, vgg, decoders, output, alpha, preserve, masks, transform, size, styleSize };
        anySize.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var outPath = ctx.Get(output)!;
            ImageIO.FormatForPath(outPath);
            CliContext.CheckOutputIsNotInput(outPath, [ctx.Get(content), .. (ctx.Get(styles) ?? []).Select(s => ParseStyle(s).Path)]);
            double a = ctx.Get(alpha);
            if (!(a >= 0 && a <= 1)) throw new AtelierUsageException($"--alpha {a}: must be between 0 and 1");
            int? cSize = ctx.Get(size), sSize = ctx.Get(styleSize);
            var sizing = anySize.Size(ctx, cSize, minimum: 16);
            var tiling = anySize.Tiling(ctx);
            if (sSize is < 16) throw new AtelierUsageException($"--style-size {sSize}: must be at least 16");
            var styleSpecs = ctx.Get(styles)!.Select(ParseStyle).ToList();
            var maskPaths = ctx.Get(masks) ?? [];
            if (maskPaths.Length > 0 && maskPaths.Length != styleSpecs.Count && !(maskPaths.Length == 1 && styleSpecs.Count == 2))
                throw new AtelierUsageException($"--mask: give one mask per style ({styleSpecs.Count}), or one mask for exactly two styles; got {maskPaths.Length}");
            if (maskPaths.Length == 0)
            {
                double sum = styleSpecs.Sum(s => s.Weight);
                if (!(sum > 0) || styleSpecs.Any(s => s.Weight < 0))
                    throw new AtelierUsageException($"--style weights ({string.Join(", ", styleSpecs.Select(s => s.Weight.ToString(CultureInfo.InvariantCulture)))}) must be non-negative and sum to a positive number");
            }
            var kind = ctx.Get(transform) == "wct" ? FeatureTransform.Wct : FeatureTransform.AdaIn;
            var decoderPaths = ctx.Get(decoders)!.Select(d => ctx.ModelFile(d, Atelier.Models.ModelUse.AdaInDecoder, ct)).ToArray();
            if (kind == FeatureTransform.AdaIn && decoderPaths.Length > 1)
                throw new AtelierUsageException("--decoder: AdaIN uses one decoder; several are for --transform wct (multi-level)");

            var contentImage = ImageIO.Load(ctx.Get(content)!);
            int origW = contentImage.Width, origH = contentImage.Height;
            var maskImages = maskPaths.Select(p =>
            {
                var m = ImageIO.Load(p, new ImageLoadOptions { ColorMode = ColorMode.Gray });
                if (m.Width != origW || m.Height != origH)
                    throw new AtelierException($"{p}: the mask is {m.Width}x{m.Height} but the content is {origW}x{origH}; masks must have the content's size");
                return m;
            }).ToList();
            contentImage = sizing.Apply(contentImage);
            if (contentImage.Width != origW || contentImage.Height != origH)
            {
                maskImages = maskImages.Select(m => ImageResize.Resize(m, contentImage.Width, contentImage.Height, ResizeFilter.Bilinear)).ToList();
            }
            var styleImages = styleSpecs.Select(s =>
            {
                var img = ImageIO.Load(s.Path);
                return sSize is int ss ? ImageResize.ResizeShorterSide(img, ss) : img;
            }).ToList();

            using var scope = NewDisposeScope();
            var device = ctx.Device;
            // Without --vgg: the built-in encoder the decoders were trained on (ResNet-18, or the seeded normalised VGG-19).
            using var stylizer = ctx.Get(vgg) is { } vggGiven
                ? AdaInStylizer.Load(ctx.ModelFile(vggGiven, Atelier.Models.ModelUse.AdaInEncoder, ct), decoderPaths, device)
                : AdaInStylizer.LoadBuiltIn(decoderPaths, () =>
                {
                    ctx.Warn("no --vgg given: using the built-in seeded random normalised VGG-19, which fits only decoders trained on it (`adain train --features vgg19-random`); pass --vgg adain-vgg (the catalogue's vgg_normalised.pth) for the published decoders");
                    return Vgg.BuiltInNormalised(decoderPaths.Length > 1 ? "relu5_1" : "relu4_1");
                }, device);
            var contentT = ImageTensors.ToTensor(contentImage, ValueRange.ZeroOne, device);
            var maskTensors = maskImages.Select(m => ImageTensors.ToTensor(m, ValueRange.ZeroOne, device)).ToList();
            if (maskTensors.Count == 1 && styleSpecs.Count == 2) maskTensors.Add(1 - maskTensors[0]);
            var inputs = styleSpecs.Select((s, i) => new StyleInput(
                ImageTensors.ToTensor(styleImages[i], ValueRange.ZeroOne, device), s.Weight, maskTensors.Count > 0 ? maskTensors[i] : null)).ToList();
            var options = new AdaInOptions { Alpha = a, PreserveColor = ctx.Get(preserve), Transform = kind };
            var clock = Stopwatch.StartNew();
            ct.ThrowIfCancellationRequested();
            Image image;
            var levels = AdaInNetwork.Levels(stylizer, inputs.Select(i => i with { Mask = null }).ToList(), options, contentT);
            try
            {
                var plan = TilePlan.Create(contentImage.Width, contentImage.Height, 3, levels[0], tiling);
                if (!plan.Tiled) image = ImageTensors.FromTensor(stylizer.Stylize(contentT, inputs, options).cpu());
                else
                {
                    if (maskTensors.Count > 0)
                        throw new AtelierUsageException($"--mask: spatial control needs the whole {contentImage.Width}x{contentImage.Height} image in one pass, but it would be cut into {plan.Tiles.Count} tiles; raise --max-memory or scale down with --max-side");
                    ctx.Note($"{contentImage.Width}x{contentImage.Height}: {plan.Tiles.Count} tiles of {plan.TileWidth}x{plan.TileHeight} within {MemoryBudget.Format(tiling.MaxMemory ?? TilingOptions.DefaultMaxMemory)}");
                    foreach (var level in levels) level.Prepare(); // uses the content tensor (colour preservation)
                    contentT.Dispose(); // the tiles are cut from the image
                    image = contentImage;
                    foreach (var level in levels) image = TiledInference.Run(image, level, tiling, ct: ct);
                }
            }
            finally { foreach (var l in levels) l.Dispose(); }
            double seconds = clock.Elapsed.TotalSeconds;
            ImageIO.Save(image, outPath);
            ctx.Result(new
            {
                command = "adain stylize",
                transform = ctx.Get(transform),
                output = outPath,
                width = image.Width,
                height = image.Height,
                alpha = a,
                styles = styleSpecs.Select(s => new { path = s.Path, weight = s.Weight }).ToList(),
                preserveColor = options.PreserveColor,
                masks = maskPaths,
                seconds = Math.Round(seconds, 3),
            }, $"wrote {outPath} ({image.Width}x{image.Height}, {ctx.Get(transform)}, alpha {a.ToString(CultureInfo.InvariantCulture)}) in {seconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
            return CliRunner.Success;
        });
        return cmd;
    }

    /// <summary>"path" or "path:weight" (<see cref="StyleSpec"/>; AdaIN weights may be any finite number).</summary>
    internal static (string Path, double Weight) ParseStyle(string spec) => StyleSpec.Parse(spec, positive: false);
}
