namespace Atelier.StyleGan.Training;

/// <summary>
/// Settings of a StyleGAN2 training run. Defaults are rosinality/stylegan2-pytorch's train.py (lr 0.002, R1 10 every
/// 16 steps, path length 2 every 4 steps with half the batch, mixing 0.9), except the architecture defaults, which
/// are small enough for a CPU (style dim 128, 4 mapping layers, 64 channels).
/// </summary>
public sealed record StyleGanTrainingOptions
{
    public int Size { get; init; } = 32;
    public int StyleDim { get; init; } = 128;
    public int NMlp { get; init; } = 4;
    /// <summary>Channel cap at every resolution (the reference's 512); see <see cref="GeneratorConfig.MaxChannels"/>.</summary>
    public int Channels { get; init; } = 64;
    public int ChannelMultiplier { get; init; } = 2;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 0.002;
    /// <summary>R1 weight (gamma): the penalty is gamma / 2 * E|grad D(real)|^2.</summary>
    public double R1 { get; init; } = 10;
    /// <summary>Path-length weight; 0 switches the penalty off.</summary>
    public double PathRegularize { get; init; } = 2;
    /// <summary>The path-length batch is BatchSize / PathBatchShrink (at least 1).</summary>
    public int PathBatchShrink { get; init; } = 2;
    /// <summary>Lazy regularisation: R1 every this many steps (scaled by it).</summary>
    public int DRegEvery { get; init; } = 16;
    /// <summary>Lazy regularisation: path length every this many steps (scaled by it).</summary>
    public int GRegEvery { get; init; } = 4;
    /// <summary>Probability that a batch uses two latents with a random crossover point (style-mixing regularisation).</summary>
    public double Mixing { get; init; } = 0.9;
    /// <summary>
    /// EMA half-life in thousands of images: decay = 0.5 ^ (batch / (1000 EmaKimg)). 10 gives rosinality's
    /// 0.5 ^ (32 / 10000) at batch 32.
    /// </summary>
    public double EmaKimg { get; init; } = 10;
    /// <summary>Random horizontal flips of the training images.</summary>
    public bool Flip { get; init; } = true;
    /// <summary>Images in the sample grid (fixed z, drawn with the g_ema).</summary>
    public int SampleCount { get; init; } = 16;
    public long Seed { get; init; } = 0;

    public GeneratorConfig Config => new GeneratorConfig(Size, StyleDim, NMlp, ChannelMultiplier, MaxChannels: Channels).Validate();

    /// <summary>The EMA decay per step.</summary>
    public double EmaDecay => Math.Pow(0.5, BatchSize / (EmaKimg * 1000));

    /// <summary>Throws <see cref="AtelierUsageException"/> naming the option that is out of range.</summary>
    public StyleGanTrainingOptions Validate()
    {
        if (Size < 8 || (Size & (Size - 1)) != 0) throw new AtelierUsageException($"{{Size}} {Size}: must be a power of two of at least 8");
        if (StyleDim < 1) throw new AtelierUsageException($"{{StyleDim}} {StyleDim}: must be positive");
        if (NMlp < 1) throw new AtelierUsageException($"{{NMlp}} {NMlp}: must be positive");
        if (Channels < 1) throw new AtelierUsageException($"{{Channels}} {Channels}: must be positive");
        if (BatchSize < 1) throw new AtelierUsageException($"{{BatchSize}} {BatchSize}: must be at least 1");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new AtelierUsageException($"{{LearningRate}} {LearningRate}: must be a positive number");
        if (!(R1 >= 0)) throw new AtelierUsageException($"{{R1}} {R1}: must not be negative");
        if (!(PathRegularize >= 0)) throw new AtelierUsageException($"{{PathRegularize}} {PathRegularize}: must not be negative");
        if (PathBatchShrink < 1) throw new AtelierUsageException($"{{PathBatchShrink}} {PathBatchShrink}: must be at least 1");
        if (DRegEvery < 1) throw new AtelierUsageException($"{{DRegEvery}} {DRegEvery}: must be at least 1");
        if (GRegEvery < 1) throw new AtelierUsageException($"{{GRegEvery}} {GRegEvery}: must be at least 1");
        if (!(Mixing >= 0 && Mixing <= 1)) throw new AtelierUsageException($"{{Mixing}} {Mixing}: must be in [0, 1]");
        if (!(EmaKimg > 0)) throw new AtelierUsageException($"{{EmaKimg}} {EmaKimg}: must be positive");
        if (SampleCount < 1) throw new AtelierUsageException($"{{SampleCount}} {SampleCount}: must be at least 1");
        return this;
    }
}
