using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Methods;
using Atelier.Networks;
using static TorchSharp.torch;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.StyleGan;

/// <summary>
/// Image2StyleGAN inversion of a picture, and the inversions under a known degradation (super-resolution, inpainting,
/// sketch, colourisation), as every front end offers them (<see cref="MethodRegistry"/>). The code found is the
/// result's artifact (<see cref="InvertedCode"/>): the CLI writes it as a latent file, the studio keeps it for the edits.
/// </summary>
public static class InversionMethods
{
    public static MethodDescriptor Invert { get; } = Inversion(InversionTask.Invert, "invert", "Invert a picture",
        "finds the latent whose image matches the picture (Image2StyleGAN: perceptual + pixel loss, Adam from the mean w); the edits can start from it",
        P.Image("Image", "Picture", GlyphExamples.DefaultPicture("goudy-R", "pebbles"), GlyphExamples.Shipped ? 32 : 64, primary: true, help: "image to embed (brought to the generator's size unless resizing is off)"));

    public static MethodDescriptor SuperResolution { get; } = Inversion(InversionTask.SuperResolution, "superres", "Super-resolution",
        "finds the generator's image whose downsampling matches a low-resolution picture (brought to size/factor)",
        P.Image("Image", "Low-resolution picture", GlyphExamples.DefaultPicture("goudy-G", "pebbles"), 16, primary: true, help: "the low-resolution observation"),
        P.Int("Factor", "Factor", 2, 1024, 4, "downsampling factor (divides the generator's size)"));

    public static MethodDescriptor Inpaint { get; } = Inversion(InversionTask.Inpaint, "inpaint", "Inpainting",
        "paint the hole: the loss ignores it, so the generator fills it with what fits the rest",
        P.Image("Image", "Picture", GlyphExamples.DefaultPicture("roboto-R", "pebbles"), GlyphExamples.Shipped ? 32 : 64, primary: true, help: "the picture with a hole"),
        P.Mask("Mask", "Hole", "Image", "mask image, white = hole to fill"));

    public static MethodDescriptor Sketch { get; } = Inversion(InversionTask.Sketch, "sketch", "Sketch to image",
        "the generator's image whose Sobel edges match a drawing (strokes on plain paper, either polarity)",
        P.Image("Sketch", "Sketch", GlyphExamples.DefaultPicture("routed-gothic-A", "pebbles"), GlyphExamples.Shipped ? 32 : 128, primary: true, help: "the sketch"));

    public static MethodDescriptor Colorize { get; } = Inversion(InversionTask.Colorize, "colorize", "Colourisation",
        "the generator's image whose luminance matches a grayscale picture",
        P.Image("Image", "Grayscale picture", "pebbles", 64, primary: true, help: "the grayscale photo"));

    static MethodDescriptor Inversion(InversionTask task, string verb, string title, string about, params MethodParameter[] inputs) => new()
    {
        Id = "stylegan." + verb,
        Title = title,
        About = about,
        Reference = "Abdal et al. 2019 (Image2StyleGAN)",
        Examples = task switch
        {
            InversionTask.Invert => GlyphExamples.Invert(),
            InversionTask.SuperResolution => GlyphExamples.SuperResolution(),
            InversionTask.Inpaint => GlyphExamples.Inpaint(),
            InversionTask.Sketch => GlyphExamples.Sketch(),
            _ => [],
        },
        Parameters =
        [
            StyleGanMethods.Checkpoint(),
            .. inputs,
            P.Int("Steps", "Adam steps", 1, 1_000_000, 1000),
            P.Choice("Space", "Latent space", "w+", ["z", "w", "w+"], "latent space to optimise: z, w or w+"),
            P.Bool("Perceptual", "Perceptual loss", true, "perceptual loss on the feature network (off: pixel loss only)"),
            P.Features(),
            P.Float("Lr", "Learning rate", 1e-6, 10, 0.01, 0.001, "Adam learning rate"),
            P.Float("PixelWeight", "Pixel weight", 0, 1e6, 1, 0.1, "lambda: weight of the pixel MSE next to the perceptual loss"),
            P.Bool("OptimizeNoise", "Optimise the noise maps", false, "also optimise the noise maps (with noise regularisation)"),
            P.Bool("Resize", "Resize the picture", true, "bring a picture of another size to the generator's (off: refuse it)"),
            P.Seed(),
        ],
        Validate = v =>
        {
            if (!v.Bool("Perceptual") && v.Float("PixelWeight") <= 0)
                throw new AtelierUsageException("{Perceptual} off with {PixelWeight} 0 leaves no loss");
        },
        Run = (v, run) =>
        {
            var clock = Stopwatch.StartNew();
            var path = v.Text("Model");
            // Borrowed before the dispose scope opens: kept networks outlive this run.
            var g = run.Resources.Model(path, p => GeneratorLoader.Load(p, run.Device));
            var features = v.Bool("Perceptual") ? run.Resources.Features(v.Text("Features"), VggPooling.Max, g.Device) : null;
            using var scope = NewDisposeScope();
            int factor = task == InversionTask.SuperResolution ? v.Int("Factor") : 4;
            int side = InversionTarget.ObservationSide(task, g.Size, factor); // checks the factor
            var input = inputs[0];
            var picture = v.Image(input.Name);
            if (picture.Width != side || picture.Height != side)
            {
                if (!v.Bool("Resize"))
                    throw AtelierException.Naming($"{{{input.Name}}} is {picture.Width}x{picture.Height} but the generator makes {side}x{side} images (resize it, or let {{Resize}} do it)");
                run.Warn?.Invoke($"{input.Label.ToLowerInvariant()} resized to {side}x{side}");
            }
            // The same preparation in every front end (InversionTarget): one mask gives one result.
            var (observation, degradation) = InversionTarget.Prepare(task, picture, g.Size, task == InversionTask.Inpaint ? v.Image("Mask") : null, factor);
            var meanW = MeanLatent.Get(g, path);
            using var loss = features is null ? null : new PerceptualLoss(features);
            var options = new InversionOptions
            {
                Space = LatentFile.ParseSpace(v.Choice("Space")), Steps = v.Int("Steps"), LearningRate = v.Float("Lr"),
                PixelWeight = v.Float("PixelWeight"), OptimizeNoise = v.Bool("OptimizeNoise"), Seed = v.Seed(), Degradation = degradation,
            }.Validate();
            using var result = StyleGan.Inversion.Invert(g, observation, meanW, loss is null ? null : loss.Distance, options, run.Progress, run.Cancellation);
            var info = new Dictionary<string, object>
            {
                ["psnr"] = Math.Round(result.Psnr, 3), ["perceptual"] = Math.Round(result.PerceptualDistance, 5), ["steps"] = result.Steps,
                ["degradation"] = degradation?.Name ?? "none", ["space"] = LatentFile.SpaceName(options.Space),
                ["latent"] = true, ["seed"] = v.Seed(), ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            };
            if (loss is not null) info["features"] = loss.Network;
            return new MethodResult(StyleMixing.ToImage(result.Image), info)
                { Artifact = InvertedCode.From(path, g, options.Space, result.Latent, result.WPlus) };
        },
    };
}
