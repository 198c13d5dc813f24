using System.Diagnostics;
using System.Globalization;
using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Methods;
using Atelier.Models;
using Atelier.Networks;
using static TorchSharp.torch;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.Style;

/// <summary>AdaIN and WCT arbitrary style transfer (a trained decoder) as every front end offers it (<see cref="MethodRegistry"/>).</summary>
public static class AdaInMethods
{
    /// <summary>The smallest side a content or style picture may be scaled to.</summary>
    const int MinSide = 16;

    public static MethodDescriptor Stylize { get; } = new()
    {
        Id = "adain.stylize",
        Title = "AdaIN (any style)",
        About = "any style picture (or a weighted mix of several), one pass; alpha trades content for style (WCT with several decoders, masks, any size)",
        Reference = "Huang and Belongie 2017; WCT: Li et al. 2017",
        Parameters =
        [
            P.Model("Vgg", "Encoder (normalised VGG-19)", ModelUse.AdaInEncoder, [ArchitectureKind.VggNormalised],
                help: "the normalised VGG-19 encoder: vgg_normalised.pth or the catalogue's adain-vgg (fetched on first use); the published decoder.pth needs it. "
                    + "Default: the built-in encoder the decoder was trained on (the ImageNet ResNet-18 for Atelier's own decoders, such as the default one)")
                with { Required = false, Optional = true, BuiltIn = "built-in (the decoder's own encoder)" },
            P.Model("Decoder", "Decoder", ModelUse.AdaInDecoder, [ArchitectureKind.AdaInDecoder, ArchitectureKind.AdaInDecoderRun], ShippedDecoder,
                help: $"decoder: {ShippedDecoder} (Atelier's own, for the built-in ResNet-18 encoder; the default), decoder.pth (relu4_1, with {{Vgg}}) or the catalogue's adain-decoder; for multi-level WCT one per level")
                with
                {
                    Repeatable = true,
                    Accepts = "naoto0804/pytorch-AdaIN's decoder.pth (with its vgg_normalised.pth) loads directly, as do `atelier adain train` outputs "
                        + "and their run checkpoints (X.safetensors.run/checkpoint.safetensors)",
                },
            P.Image("Content", "Content", "lake", 256, primary: true, help: "the content image"),
            P.Images("Style", "Style", "mondrian", 256, "style image, optionally with a weight: a.jpg:0.7 (repeat to interpolate styles)") with { Aliases = ["S"] },
            P.Float("Alpha", "Alpha (style strength)", 0, 1, 1, 0.05, "content-style trade-off in [0,1]"),
            P.Bool("PreserveColor", "Keep the content's colours", false, "keep the content's colours (the style is recoloured to them first)"),
            P.Choice("Transform", "Feature transform", "adain", ["adain", "wct"],
                "adain matches channel means and deviations; wct whitens the content features and colours them with the style's covariance (Li et al. 2017)"),
            P.Mask("Mask", "Mask", "Content",
                "spatial control: one mask per style (white = where it applies), or one mask for two styles (white = first, black = second); content-sized")
                with { Required = false, Optional = true, Repeatable = true },
            P.OptionalInt("Size", "Content's shorter side (px)", MinSide, SizePolicy.MaxSideLimit,
                "resize the content so its shorter side is this many pixels (default: keep its size)"),
            P.OptionalInt("StyleSize", "Styles' shorter side (px)", MinSide, SizePolicy.MaxSideLimit,
                "resize the styles so their shorter side is this many pixels (default: keep their size)"),
            .. AnySizeParameters.For(MinSide),
        ],
        Validate = v =>
        {
            AnySizeParameters.Validate(v, MinSide);
            var styles = v.Images("Style");
            int masks = v.Masks("Mask").Count;
            if (masks > 0 && masks != styles.Count && !(masks == 1 && styles.Count == 2))
                throw new AtelierUsageException($"{{Mask}}: give one mask per style ({styles.Count}), or one mask for exactly two styles; got {masks}");
            if (masks == 0 && (!(styles.Sum(s => s.Weight) > 0) || styles.Any(s => s.Weight < 0)))
                throw new AtelierUsageException($"{{Style}} weights ({string.Join(", ", styles.Select(s => s.Weight.ToString(CultureInfo.InvariantCulture)))}) must be non-negative and sum to a positive number");
            if (v.Choice("Transform") == "adain" && v.Texts("Decoder").Count > 1)
                throw new AtelierUsageException("{Decoder}: AdaIN uses one decoder; several are for {Transform} wct (multi-level)");
        },
        Run = Run,
        Examples = ShippedExamples(),
    };

    /// <summary>The decoder Atelier trains and ships (models/adain-resnet18) for the built-in ResNet-18 encoder.</summary>
    public const string ShippedDecoder = "adain-resnet18";

    /// <summary>
    /// With the shipped decoder: each shipped photo in Mondrian's style (a painting the decoder never saw), an alpha
    /// row, a two-style interpolation with Picabia's Udnie, colours kept, and WCT.
    /// </summary>
    static IReadOnlyList<MethodExample> ShippedExamples()
    {
        if (!ShippedModels.All().Any(m => m.Name == ShippedDecoder)) return [];
        const int Side = 256;
        static WeightedSample[] Styles(params (string Painting, double Weight)[] styles) =>
            [.. styles.Select(s => new WeightedSample(new SamplePainting(s.Painting, Side), s.Weight))];
        var quick = new Dictionary<string, object?> { ["Content"] = new SamplePhoto("lake", 64), ["Style"] = Styles(("mondrian", 1)) };
        MethodExample Example(string name, string caption, string photo, WeightedSample[] styles, params (string Key, object? Value)[] more)
        {
            var values = new Dictionary<string, object?> { ["Content"] = new SamplePhoto(photo, Side), ["Style"] = styles };
            foreach (var (k, v) in more) values[k] = v;
            return new MethodExample(name, caption, values) { Quick = quick };
        }
        return
        [
            .. ShippedPictures.Photos.All().Select(p => Example($"adain-{p.Name}-mondrian", "Mondrian (never seen in training), one pass", p.Name, Styles(("mondrian", 1)))),
            .. new[] { 0.25, 0.5, 0.75 }.Select(a => Example($"adain-lake-alpha-{a * 100:0}", $"alpha {a}: content to style", "lake", Styles(("mondrian", 1)), ("Alpha", a))),
            .. new[] { 0.75, 0.5, 0.25 }.Select(w => Example($"adain-clock-udnie-{w * 100:0}", $"Udnie {w} + Mondrian {1 - w}", "clock", Styles(("udnie", w), ("mondrian", 1 - w)))),
            Example("adain-meadow-udnie-colors", "Udnie with the photo's colours kept", "meadow", Styles(("udnie", 1)), ("PreserveColor", true)),
            Example("adain-lake-udnie-wct", "WCT: the style's covariance, not only its deviations", "lake", Styles(("udnie", 1)), ("Transform", "wct")),
        ];
    }

    static MethodResult Run(MethodValues v, MethodContext run)
    {
        var tiling = AnySizeParameters.Tiling(v);
        var content = v.Image("Content");
        int origW = content.Width, origH = content.Height;
        content = AnySizeParameters.Sizing(v, MinSide).Apply(content);
        var masks = v.Masks("Mask");
        if (content.Width != origW || content.Height != origH)
            masks = [.. masks.Select(m => ImageResize.Resize(m, content.Width, content.Height, ResizeFilter.Bilinear))];
        var styles = v.Images("Style");
        var styleImages = styles.Select(s => v.OptionalInt("StyleSize") is int side ? ImageResize.ResizeShorterSide(s.Image, side) : s.Image).ToList();
        var transform = v.Choice("Transform") == "wct" ? FeatureTransform.Wct : FeatureTransform.AdaIn;

        using var scope = NewDisposeScope();
        var device = run.Device;
        var stylizer = Stylizer(v, run);
        var contentT = ImageTensors.ToTensor(content, ValueRange.ZeroOne, device);
        var maskTensors = masks.Select(m => ImageTensors.ToTensor(m, ValueRange.ZeroOne, device)).ToList();
        if (maskTensors.Count == 1 && styles.Count == 2) maskTensors.Add(1 - maskTensors[0]);
        var inputs = styles.Select((s, i) => new StyleInput(
            ImageTensors.ToTensor(styleImages[i], ValueRange.ZeroOne, device), s.Weight, maskTensors.Count > 0 ? maskTensors[i] : null)).ToList();
        var options = new AdaInOptions { Alpha = v.Float("Alpha"), PreserveColor = v.Bool("PreserveColor"), Transform = transform };
        var clock = Stopwatch.StartNew();
        run.Cancellation.ThrowIfCancellationRequested();
        Image image;
        var levels = AdaInNetwork.Levels(stylizer, inputs.Select(i => i with { Mask = null }).ToList(), options, contentT);
        try
        {
            var plan = TilePlan.Create(content.Width, content.Height, 3, levels[0], tiling);
            if (!plan.Tiled) image = ImageTensors.FromTensor(stylizer.Stylize(contentT, inputs, options).cpu());
            else
            {
                if (maskTensors.Count > 0)
                    throw new AtelierUsageException($"{{Mask}}: spatial control needs the whole {content.Width}x{content.Height} image in one pass, but it would be cut into {plan.Tiles.Count} tiles; raise {{MaxMemory}} or scale down with {{MaxSide}}");
                run.Note?.Invoke($"{content.Width}x{content.Height}: {plan.Tiles.Count} tiles of {plan.TileWidth}x{plan.TileHeight} within {MemoryBudget.Format(tiling.MaxMemory ?? TilingOptions.DefaultMaxMemory)}");
                foreach (var level in levels) level.Prepare(); // uses the content tensor (colour preservation)
                contentT.Dispose(); // the tiles are cut from the image
                image = content;
                foreach (var level in levels) image = TiledInference.Run(image, level, tiling, ct: run.Cancellation);
            }
        }
        finally { foreach (var l in levels) l.Dispose(); }
        var info = new Dictionary<string, object>
        {
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3), ["alpha"] = options.Alpha, ["styles"] = styles.Count,
            ["encoder"] = v.OptionalText("Vgg") is null ? "builtin" : "file", ["transform"] = v.Choice("Transform"),
        };
        return new MethodResult(image, info);
    }

    /// <summary>
    /// The encoder and decoders: the encoder file given, or the built-in encoder the decoders were trained on (the
    /// ResNet-18, or the seeded normalised VGG-19, which fits only decoders trained on it: a note says so).
    /// </summary>
    static AdaInStylizer Stylizer(MethodValues v, MethodContext run)
    {
        var decoders = v.Texts("Decoder");
        var vgg = v.OptionalText("Vgg");
        var key = string.Join("\n", [vgg ?? "builtin", .. decoders]); // one stylizer per encoder and decoders
        return run.Resources.Model(key, _ => vgg is not null
            ? AdaInStylizer.Load(vgg, decoders, run.Device)
            : AdaInStylizer.LoadBuiltIn(decoders, () =>
            {
                run.Note?.Invoke("no {Vgg} given: using the built-in seeded random normalised VGG-19, which fits only decoders trained on it (adain train on the vgg19-random features); "
                    + "give {Vgg} adain-vgg (the catalogue's vgg_normalised.pth) for the published decoders");
                var layer = decoders.Count > 1 ? "relu5_1" : "relu4_1";
                return run.Resources.BuiltIn("vgg-normalised-" + layer, () => Vgg.BuiltInNormalised(layer), () => Vgg.Normalised(layer));
            }, run.Device));
    }
}
