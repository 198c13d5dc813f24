using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Studio.Jobs;
using Atelier.Style;
using static TorchSharp.torch;

namespace Atelier.Studio.Methods;

/// <summary>Johnson et al. fast style transfer: one pass of a trained TransformerNet (pytorch/examples layout).</summary>
public sealed class FastStyleMethod : StudioMethod
{
    public override string Id => "style.fast";
    public override string Panel => "faststyle";
    public override string Title => "Fast style (Johnson)";
    public override string About => "one pass through a network trained for one style.";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Model("model", "Style network", ArchitectureKind.FastStyle),
        MethodParam.Image("content", "Content", "bricks", 128),
    ];

    public override Availability Check(Models.ModelCatalog models) =>
        models.Has(ArchitectureKind.FastStyle) ? Availability.Ready
        : Availability.Missing("Fast style needs a trained TransformerNet: pytorch/examples' fast_neural_style .pth files (candy.pth, mosaic.pth, ...) load directly; put one in the models folder (atelier studio --models DIR).");

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var (_, path) = r.Models.Resolve(r.Fields.String("model"), "model", ArchitectureKind.FastStyle);
        var content = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "content", true, ct))!;
        StyleLimits.Check("content", content);
        var device = r.Device;
        return ctx =>
        {
            using var net = FastStyle.LoadModel(path, device);
            ctx.CancellationToken.ThrowIfCancellationRequested();
            return new JobOutput(FastStyle.Stylize(net, [content], device)[0]);
        };
    }
}

/// <summary>AdaIN (Huang and Belongie): the content's VGG features re-normalised to the style's, decoded; alpha mixes.</summary>
public sealed class AdaInMethod : StudioMethod
{
    public override string Id => "style.adain";
    public override string Panel => "faststyle";
    public override string Title => "AdaIN (any style)";
    public override string About => "any style picture, one pass; the alpha slider trades content for style and re-runs as you move it.";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Model("vgg", "Encoder (normalised VGG-19)", ArchitectureKind.VggNormalised),
        MethodParam.Model("decoder", "Decoder", ArchitectureKind.AdainDecoder),
        MethodParam.Image("content", "Content", "bricks", 128),
        MethodParam.Image("style", "Style", "weave", 128),
        MethodParam.Float("alpha", "Alpha (style strength)", 0, 1, 1, 0.05, live: true),
        MethodParam.Bool("preserveColor", "Keep the content's colours", false),
    ];

    public override Availability Check(Models.ModelCatalog models)
    {
        bool vgg = models.Has(ArchitectureKind.VggNormalised);
        bool dec = models.Has(ArchitectureKind.AdainDecoder);
        return vgg && dec ? Availability.Ready
            : Availability.Missing("AdaIN needs naoto0804/pytorch-AdaIN's two files, vgg_normalised.pth and decoder.pth (they load directly): put them in the models folder (atelier studio --models DIR)."
                + (vgg ? " The encoder is there; the decoder is missing." : dec ? " The decoder is there; the encoder is missing." : ""));
    }

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var (_, vggPath) = r.Models.Resolve(r.Fields.String("vgg"), "vgg", ArchitectureKind.VggNormalised);
        var (_, decoderPath) = r.Models.Resolve(r.Fields.String("decoder"), "decoder", ArchitectureKind.AdainDecoder);
        var content = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "content", true, ct))!;
        var style = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "style", true, ct))!;
        StyleLimits.Check("content", content);
        StyleLimits.Check("style", style);
        double alpha = r.Fields.Double("alpha", 1, 0, 1);
        bool preserve = r.Fields.Bool("preserveColor", false);
        var device = r.Device;
        return ctx =>
        {
            using var scope = NewDisposeScope();
            using var stylizer = AdaInStylizer.Load(vggPath, [decoderPath], device);
            ctx.CancellationToken.ThrowIfCancellationRequested();
            var c = ImageTensors.ToTensor(content, ValueRange.ZeroOne, device);
            var s = ImageTensors.ToTensor(style, ValueRange.ZeroOne, device);
            var result = stylizer.Stylize(c, [new StyleInput(s)], new AdaInOptions { Alpha = alpha, PreserveColor = preserve });
            return new JobOutput(ImageTensors.FromTensor(result.cpu()), new Dictionary<string, object> { ["alpha"] = alpha });
        };
    }
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
