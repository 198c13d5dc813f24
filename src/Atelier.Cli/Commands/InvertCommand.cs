using System.CommandLine;
using Atelier.Checkpoints;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.StyleGan;
using TorchSharp;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Cli.Commands;

/// <summary>`atelier stylegan invert IMAGE`: Image2StyleGAN embedding of an image into a StyleGAN2 latent space.</summary>
public static class InvertCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "Image to embed (resized to the generator's size unless --no-resize)" };
        var output = new Option<string>("--output", "-o") { Description = "Latent file to write (.safetensors); the reconstruction goes beside it as .png", Required = true };
        var reconstruction = new Option<string?>("--reconstruction") { Description = "Where to write the reconstructed image (default: OUTPUT with .png)" };
        var options = new InversionCliOptions();
        var cmd = new Command("invert", "Embed an image into a StyleGAN2 latent space (Image2StyleGAN: perceptual + pixel loss, Adam)") { image, output, reconstruction };
        options.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var outPath = ctx.Get(output)!;
            if (!outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                throw new AtelierUsageException($"--output {outPath}: the latent is written as .safetensors");
            var reconPath = ctx.Get(reconstruction) ?? Path.ChangeExtension(outPath, ".png");
            using var scope = NewDisposeScope();
            using var run = options.Prepare(ctx);
            var (target, _) = InversionTarget.Prepare(InversionTask.Invert,
                InversionCliOptions.LoadPicture(ctx, ctx.Get(image)!, run.Generator.Size, run.NoResize, "image"), run.Generator.Size);
            using var result = run.Invert(ctx, target, null, ct);
            LatentFile.Save(outPath, result.Latent, run.Options.Space, run.Generator);
            ImageIO.Save(StyleMixing.ToImage(result.Image), reconPath);
            ctx.Result(new
            {
                command = "stylegan invert", space = LatentFile.SpaceName(run.Options.Space), steps = result.Steps,
                psnr = Math.Round(result.Psnr, 3), perceptual = result.PerceptualDistance, features = run.Perceptual?.Network,
                latent = outPath, reconstruction = reconPath,
            }, $"PSNR {result.Psnr:F2} dB, perceptual distance {result.PerceptualDistance:G4}; wrote {outPath} and {reconPath}");
            return CliRunner.Success;
        });
        return cmd;
    }
}

/// <summary>The options every inversion-based command shares (invert and the degraded-loss edits).</summary>
internal sealed class InversionCliOptions
{
    public readonly Option<string> Checkpoint = StyleGanCommand.CheckpointOption();
    public readonly Option<string> Space = new("--space") { Description = "Latent space to optimise: z, w or w+", DefaultValueFactory = _ => "w+" };
    public readonly Option<int> Steps = new("--steps") { Description = "Adam steps", DefaultValueFactory = _ => 1000 };
    public readonly Option<double> Lr = new("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 0.01 };
    public readonly Option<double> PixelWeight = new("--pixel-weight") { Description = "lambda: weight of the pixel MSE next to the perceptual loss", DefaultValueFactory = _ => 1.0 };
    public readonly FeatureCliOption Features = new();
    public readonly Option<bool> NoPerceptual = new("--no-perceptual") { Description = "Pixel loss only (no feature network)" };
    public readonly Option<bool> OptimizeNoise = new("--optimize-noise") { Description = "Also optimise the noise maps (with noise regularisation)" };
    public readonly Option<bool> NoResize = new("--no-resize") { Description = "Refuse images whose size differs from the generator's instead of resizing them" };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Checkpoint, Space, Steps, Lr, PixelWeight, NoPerceptual, OptimizeNoise, NoResize }) cmd.Options.Add(o);
        Features.AddTo(cmd);
    }

    /// <summary>What an inversion needs, loaded once; disposing it frees the generator and the loss network.</summary>
    public sealed record Run(Generator Generator, Tensor MeanW, PerceptualLoss? Perceptual, InversionOptions Options, bool NoResize) : IDisposable
    {
        public void Dispose()
        {
            Perceptual?.Dispose();
            Generator.Dispose();
        }

        public InversionResult Invert(CliContext ctx, Tensor target, Degradation? degradation, CancellationToken ct)
        {
            var options = Options with { Degradation = degradation };
            return ctx.WithProgress("invert", progress =>
                Inversion.Invert(Generator, target, MeanW, Perceptual is null ? null : Perceptual.Distance, options, progress, ct));
        }
    }

    public Run Prepare(CliContext ctx)
    {
        var options = new InversionOptions
        {
            Space = LatentFile.ParseSpace(ctx.Get(Space)),
            Steps = ctx.Get(Steps),
            LearningRate = ctx.Get(Lr),
            PixelWeight = ctx.Get(PixelWeight),
            OptimizeNoise = ctx.Get(OptimizeNoise),
            Seed = ctx.SeedOrRandom(),
        }.Validate();
        var ckPath = ctx.ModelFile(ctx.Get(Checkpoint)!, Atelier.Models.ModelUse.StyleGan);
        var g = StyleGanCommand.LoadGenerator(ctx, ckPath);
        var meanW = MeanLatent.Get(g, ckPath, note: ctx.Note);
        PerceptualLoss? perceptual = null;
        if (!ctx.Get(NoPerceptual))
        {
            // The perceptual loss on the chosen network (the built-in ImageNet ResNet-18 by default); a random-weight
            // VGG is built only as far as the loss reaches.
            var choice = Features.Choice(ctx);
            FeatureNetwork vgg = choice == FeatureNetworks.RandomVgg19 ? Vgg.BuiltIn(upToLayer: "conv4_2") : FeatureNetworks.Load(choice);
            if (g.Device.type != DeviceType.CPU) vgg.to(g.Device);
            perceptual = new PerceptualLoss(vgg);
        }
        else if (options.PixelWeight <= 0) throw new AtelierUsageException("--no-perceptual with --pixel-weight 0 leaves no loss");
        return new Run(g, meanW, perceptual, options, ctx.Get(NoResize));
    }

    /// <summary>
    /// A picture for an inversion task, as loaded: it must exist, and with --no-resize already have the observation's
    /// square size <paramref name="side"/>; otherwise a note says it will be brought to that size (by
    /// <see cref="InversionTarget.Prepare"/>, the same way the studio does).
    /// </summary>
    public static Image LoadPicture(CliContext ctx, string path, int side, bool noResize, string what)
    {
        if (!File.Exists(path)) throw new AtelierException($"{what} '{path}' does not exist");
        var img = ImageIO.Load(path);
        if (img.Width != side || img.Height != side)
        {
            if (noResize)
                throw new AtelierException($"{what} '{path}' is {img.Width}x{img.Height} but the generator makes {side}x{side} images (drop --no-resize to resize it)");
            ctx.Note($"{what} '{Path.GetFileName(path)}' resized to {side}x{side}");
        }
        return img;
    }
}
