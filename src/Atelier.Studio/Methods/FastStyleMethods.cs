using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Studio.Jobs;
using Atelier.Style;
using static TorchSharp.torch;

namespace Atelier.Studio.Methods;

/// <summary>AdaIN (Huang and Belongie): the content's VGG features re-normalised to the style's, decoded; alpha mixes.</summary>
public sealed class AdaInMethod : StudioMethod
{
    public override string Id => "style.adain";
    public override string Panel => "faststyle";
    public override string Title => "AdaIN (any style)";
    public override string About => "any style picture (or a weighted mix of two), one pass; the alpha slider trades content for style and re-runs as you move it.";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Model("vgg", "Encoder (normalised VGG-19)", ArchitectureKind.VggNormalised) with
        {
            BuiltIn = "built-in random-weight VGG-19",
            Help = "the published decoder.pth needs vgg_normalised.pth; decoders trained with `atelier adain train` (no --vgg) need the built-in one",
        },
        MethodParam.Model("decoder", "Decoder", StyleModels.AdaInDecoder),
        MethodParam.Image("content", "Content", "bricks", 128),
        MethodParam.Image("style", "Style", "weave", 128),
        MethodParam.Image("style2", "Second style (optional)", null, 128) with { Optional = true },
        MethodParam.Float("weight2", "Second style's weight", 0, 1, 0.5, 0.05, live: true,
            help: "the styles' features are mixed with weights 1 - w and w (used only with a second style)"),
        MethodParam.Float("alpha", "Alpha (style strength)", 0, 1, 1, 0.05, live: true),
        MethodParam.Bool("preserveColor", "Keep the content's colours", false),
        MethodParam.Choice("transform", "Feature transform", "adain", "adain", "wct") with
        {
            Help = "adain matches channel means and deviations; wct whitens the content features and colours them with the style's covariance (Li et al. 2017)",
        },
    ];

    // The encoder can always be the built-in VGG, so only the decoder is required.
    public override Availability Check(Models.ModelCatalog models) =>
        models.Has(StyleModels.AdaInDecoder) ? Availability.Ready
        : Availability.Missing("AdaIN needs a decoder: naoto0804/pytorch-AdaIN's decoder.pth (with its vgg_normalised.pth) loads directly, as do "
            + "`atelier adain train` outputs and their run checkpoints (X.safetensors.run/checkpoint.safetensors); put them in the models folder (atelier studio --models DIR).");

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var vggId = r.Fields.String("vgg");
        string? vggPath = vggId == MethodParam.BuiltInId ? null : r.Models.Resolve(vggId, "vgg", ArchitectureKind.VggNormalised).Path;
        var (_, decoderPath) = r.Models.Resolve(r.Fields.String("decoder"), "decoder", StyleModels.AdaInDecoder);
        var content = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "content", true, ct))!;
        var style = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "style", true, ct))!;
        StyleLimits.Check("content", content);
        StyleLimits.Check("style", style);
        var style2 = await r.Uploads.ReadRgbAsync(r.Fields.Form, "style2", false, ct);
        if (style2 != null) StyleLimits.Check("style2", style2);
        double weight2 = r.Fields.Double("weight2", 0.5, 0, 1);
        double alpha = r.Fields.Double("alpha", 1, 0, 1);
        bool preserve = r.Fields.Bool("preserveColor", false);
        var transform = r.Fields.Choice("transform", "adain", "adain", "wct") == "wct" ? FeatureTransform.Wct : FeatureTransform.AdaIn;
        var device = r.Device;
        return ctx =>
        {
            using var scope = NewDisposeScope();
            using var stylizer = vggPath is null
                ? AdaInStylizer.LoadBuiltIn([decoderPath], BuiltInEncoder.Create, device)
                : AdaInStylizer.Load(vggPath, [decoderPath], device);
            ctx.CancellationToken.ThrowIfCancellationRequested();
            var c = ImageTensors.ToTensor(content, ValueRange.ZeroOne, device);
            var s = ImageTensors.ToTensor(style, ValueRange.ZeroOne, device);
            List<StyleInput> styles = style2 is null ? [new StyleInput(s)]
                : [new StyleInput(s, 1 - weight2), new StyleInput(ImageTensors.ToTensor(style2, ValueRange.ZeroOne, device), weight2)];
            var result = stylizer.Stylize(c, styles, new AdaInOptions { Alpha = alpha, PreserveColor = preserve, Transform = transform });
            var info = new Dictionary<string, object>
            {
                ["alpha"] = alpha, ["styles"] = styles.Count, ["encoder"] = vggPath is null ? MethodParam.BuiltInId : "file",
                ["transform"] = transform == FeatureTransform.Wct ? "wct" : "adain",
            };
            if (style2 != null) info["weight2"] = weight2;
            return new JobOutput(ImageTensors.FromTensor(result.cpu()), info);
        };
    }
}

static class StyleModels
{
    /// <summary>A TransformerNet file, or a fast-style training run's checkpoint (FastStyle.LoadModel takes its net.*).</summary>
    public static readonly ArchitectureKind[] FastStyle = [ArchitectureKind.FastStyle, ArchitectureKind.FastStyleRun];

    /// <summary>An AdaIN decoder file, or a decoder training run's checkpoint (AdaInStylizer.Load takes its decoder.*).</summary>
    public static readonly ArchitectureKind[] AdaInDecoder = [ArchitectureKind.AdaInDecoder, ArchitectureKind.AdaInDecoderRun];
}

static class StyleLimits
{
    /// <summary>One pass costs memory in proportion to the pixels: keep interactive inputs to about a megapixel.</summary>
    public static void Check(string name, Image img)
    {
        if (img.Width < 16 || img.Height < 16 || (long)img.Width * img.Height > 1024 * 1024)
            throw new StudioRequestException(413, $"'{name}': use a picture between 16x16 and 1024x1024 here (got {img.Width}x{img.Height})");
    }
}
