using Atelier.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.StyleGan;

/// <summary>A differentiable distance between two image batches in [-1, 1] (e.g. <see cref="PerceptualLoss.Distance"/>), as a scalar.</summary>
public delegate Tensor ImageDistance(Tensor generated, Tensor target);

/// <summary>How to invert an image into a generator's latent space.</summary>
public sealed record InversionOptions
{
    public LatentSpace Space { get; init; } = LatentSpace.WPlus;
    public int Steps { get; init; } = 1000;
    /// <summary>Adam's learning rate (0.01 in Image2StyleGAN).</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>lambda: weight of the pixel MSE next to the perceptual loss.</summary>
    public double PixelWeight { get; init; } = 1;
    /// <summary>Also optimise the noise maps (rosinality's projector), regularised by <see cref="NoiseRegularization"/>.</summary>
    public bool OptimizeNoise { get; init; }
    public double NoiseRegularization { get; init; } = 1e5;
    /// <summary>A known operator applied to the output before the loss (super-resolution, inpainting, sketch, colourisation).</summary>
    public Degradation? Degradation { get; init; }
    /// <summary>Seed of the random z start (the z space has no preimage of the mean w).</summary>
    public long Seed { get; init; }

    public InversionOptions Validate()
    {
        if (Steps <= 0) throw new AtelierUsageException($"{{Steps}} {Steps}: must be positive");
        // Infinity and NaN pass a plain comparison and turn every pixel into NaN a step later.
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new AtelierUsageException($"{{LearningRate}} {LearningRate}: must be a positive number");
        if (!(PixelWeight >= 0) || !double.IsFinite(PixelWeight)) throw new AtelierUsageException($"{{PixelWeight}} {PixelWeight}: must be a number, 0 or more");
        if (!(NoiseRegularization >= 0) || !double.IsFinite(NoiseRegularization)) throw new AtelierUsageException($"{{NoiseRegularization}} {NoiseRegularization}: must be a number, 0 or more");
        return this;
    }
}

/// <summary>
/// What an inversion found. <see cref="Latent"/> is in the requested space ((1, dim) for z and w, (1, n_latent, dim)
/// for w+); <see cref="WPlus"/> is always the w+ code the image came from. PSNR (dB, on [0,1] pixels) and the
/// perceptual distance compare the degraded reconstruction with the observation.
/// </summary>
public sealed record InversionResult(Tensor Latent, Tensor WPlus, Tensor Image, IReadOnlyList<Tensor> Noise,
    double Psnr, double PerceptualDistance, double Loss, int Steps) : IDisposable
{
    public void Dispose()
    {
        Latent.Dispose(); WPlus.Dispose(); Image.Dispose();
        foreach (var n in Noise) n.Dispose();
    }
}

/// <summary>
/// Image2StyleGAN (Abdal, Qin and Wonka 2019): find the latent whose image matches a target by optimising it with
/// Adam from the mean w, under perceptual loss + lambda * pixel MSE; optionally the noise maps too, with
/// rosinality's noise regularisation and renormalisation.
/// </summary>
public static class Inversion
{
    /// <summary>
    /// Inverts <paramref name="target"/> (1, 3, H, W) in [-1, 1] (or the observation a degradation expects).
    /// <paramref name="meanW"/> is the starting point for w and w+. <paramref name="perceptual"/> may be null (pixel loss only).
    /// </summary>
    public static InversionResult Invert(Generator generator, Tensor target, Tensor meanW, ImageDistance? perceptual,
        InversionOptions options, IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        if (perceptual is null && options.PixelWeight == 0)
            throw new AtelierUsageException("the inversion has no loss: give a perceptual network or a positive pixel weight");
        var device = generator.Device;
        using var gradients = enable_grad(); // callers often hold no_grad for the generator
        var frozen = generator.parameters().Where(p => p.requires_grad).ToList();
        foreach (var p in frozen) p.requires_grad = false;
        generator.eval();
        try
        {
            using var outer = NewDisposeScope();
            var observed = target.to(float32, device).detach();
            if (options.Degradation is { } d) observed = d.Observe(observed).detach();

            using var rng = new torch.Generator((ulong)options.Seed);
            Tensor start = options.Space switch
            {
                LatentSpace.Z => randn(new long[] { 1, generator.StyleDim }, generator: rng),
                LatentSpace.W => meanW.reshape(1, generator.StyleDim).clone(),
                _ => generator.Broadcast(meanW.reshape(1, generator.StyleDim)).clone(),
            };
            var latent = new Parameter(start.to(device).detach(), requires_grad: true);
            var noises = Enumerable.Range(0, generator.NumLayers)
                .Select(j => new Parameter(generator.StoredNoise(j).clone().detach(), requires_grad: options.OptimizeNoise))
                .ToList();
            var trainable = new List<Parameter> { latent };
            if (options.OptimizeNoise) trainable.AddRange(noises);
            using var adam = optim.Adam(trainable, options.LearningRate);

            double psnr = 0, perceptualValue = 0, lossValue = 0;
            int step = 0;
            for (; step < options.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                adam.zero_grad();
                var image = Render(generator, latent, options.Space, noises);
                var seen = options.Degradation?.Apply(image) ?? image;
                var pixel = F.mse_loss(seen, observed);
                var loss = pixel * options.PixelWeight;
                Tensor? perc = null;
                if (perceptual is not null)
                {
                    perc = perceptual(seen, observed);
                    loss = loss + perc;
                }
                if (options.OptimizeNoise) loss = loss + options.NoiseRegularization * NoiseRegularize(noises);
                loss.backward();
                adam.step();
                if (options.OptimizeNoise) using (no_grad()) NormalizeNoise(noises);

                lossValue = loss.item<float>();
                perceptualValue = perc?.item<float>() ?? 0;
                // Pixels in [-1, 1] have 4x the MSE they have in [0, 1].
                psnr = Psnr(pixel.item<float>() / 4);
                progress?.Report(new ProgressReport(step + 1, options.Steps, "invert", new Dictionary<string, double>
                {
                    ["psnr"] = psnr, ["perceptual"] = perceptualValue, ["loss"] = lossValue,
                }));
            }

            using (no_grad())
            {
                var image = Render(generator, latent, options.Space, noises);
                var seen = options.Degradation?.Apply(image) ?? image;
                psnr = Psnr(F.mse_loss(seen, observed).item<float>() / 4);
                perceptualValue = perceptual is null ? 0 : perceptual(seen, observed).item<float>();
                var w = options.Space == LatentSpace.Z ? generator.Map(latent) : latent;
                var result = new InversionResult(
                    latent.detach().clone().MoveToOuterDisposeScope(),
                    generator.Broadcast(w).detach().MoveToOuterDisposeScope(),
                    image.detach().MoveToOuterDisposeScope(),
                    noises.Select(n => n.detach().clone().MoveToOuterDisposeScope()).ToList(),
                    psnr, perceptualValue, lossValue, step);
                return result;
            }
        }
        finally
        {
            foreach (var p in frozen) p.requires_grad = true;
        }
    }

    static Tensor Render(Generator generator, Tensor latent, LatentSpace space, IReadOnlyList<Tensor> noises)
    {
        var w = space == LatentSpace.Z ? generator.Map(latent) : latent;
        return generator.Synthesize(w, noises.Cast<Tensor?>().ToList());
    }

    /// <summary>PSNR in dB of a mean squared error on [0, 1] pixels.</summary>
    public static double Psnr(double mse) => Quality.PeakSignalToNoiseRatio.FromMse(Math.Max(mse, 1e-12)); // capped at 120 dB: the studio's JSON has no infinity

    /// <summary>
    /// rosinality's noise_regularize: the squared autocorrelation at lag 1 (both axes) of every noise map, at every
    /// scale down to 8 px, so the noise cannot encode the image.
    /// </summary>
    public static Tensor NoiseRegularize(IReadOnlyList<Tensor> noises)
    {
        using var scope = NewDisposeScope();
        Tensor loss = zeros(1, device: noises[0].device);
        foreach (var n in noises)
        {
            var noise = n;
            long size = noise.shape[2];
            while (true)
            {
                loss = loss + (noise * noise.roll(1, 3)).mean().pow(2) + (noise * noise.roll(1, 2)).mean().pow(2);
                if (size <= 8) break;
                noise = noise.reshape(-1, 1, size / 2, 2, size / 2, 2).mean(new long[] { 3, 5 });
                size /= 2;
            }
        }
        return loss.sum().MoveToOuterDisposeScope();
    }

    /// <summary>Renormalises every noise map to zero mean and unit standard deviation (in place).</summary>
    public static void NormalizeNoise(IReadOnlyList<Tensor> noises)
    {
        foreach (var n in noises)
        {
            using var scope = NewDisposeScope();
            var mean = n.mean();
            var std = n.std();
            n.sub_(mean).div_(std);
        }
    }
}
