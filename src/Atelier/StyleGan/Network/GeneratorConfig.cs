namespace Atelier.StyleGan;

/// <summary>
/// The architecture hyperparameters of a rosinality StyleGAN2 generator (the training script's `args`: size,
/// latent, n_mlp, channel_multiplier). Channels per resolution follow the reference table.
/// </summary>
/// <remarks><see cref="MaxChannels"/> (512 in the reference) caps every resolution's channels; smaller values give
/// the tiny generators that tests and quick experiments use. It is inferred from `input.input` when loading.
/// NVlabs' generators (StyleGAN2-ADA .pkl) size their channels as min(<see cref="ChannelBase"/> / resolution,
/// <see cref="MaxChannels"/>) instead of the table, and clamp every conv's output to ±<see cref="ConvClamp"/>.</remarks>
public sealed record GeneratorConfig(int Size, int StyleDim = 512, int NMlp = 8, int ChannelMultiplier = 2, double LrMlp = 0.01,
    int MaxChannels = 512, int? ChannelBase = null, double? ConvClamp = null)
{
    /// <summary>log2(size).</summary>
    public int LogSize => Log2Exact(Size);

    /// <summary>How many w vectors a w+ code holds: 2 log2(size) - 2.</summary>
    public int NLatent => LogSize * 2 - 2;

    /// <summary>How many synthesis convs (and noise maps) there are: 2 (log2(size) - 2) + 1.</summary>
    public int NumLayers => (LogSize - 2) * 2 + 1;

    /// <summary>Feature channels at a resolution: 512 up to 32 px, then 256 cm, 128 cm, 64 cm, 32 cm, 16 cm.</summary>
    public int Channels(int resolution) => ChannelBase is { } channelBase ? Math.Min(MaxChannels, channelBase / resolution) : Math.Min(MaxChannels, resolution switch
    {
        <= 32 => 512,
        64 => 256 * ChannelMultiplier,
        128 => 128 * ChannelMultiplier,
        256 => 64 * ChannelMultiplier,
        512 => 32 * ChannelMultiplier,
        1024 => 16 * ChannelMultiplier,
        _ => Math.Max(1, 16 * ChannelMultiplier * 1024 / resolution),
    });

    /// <summary>Throws <see cref="AtelierException"/> when the numbers cannot describe a generator.</summary>
    public GeneratorConfig Validate()
    {
        if (Size < 8 || (Size & (Size - 1)) != 0)
            throw new AtelierException($"StyleGAN2 size must be a power of two of at least 8, got {Size}");
        if (StyleDim <= 0) throw new AtelierException($"StyleGAN2 style dimension must be positive, got {StyleDim}");
        if (NMlp <= 0) throw new AtelierException($"StyleGAN2 n_mlp must be positive, got {NMlp}");
        if (MaxChannels <= 0) throw new AtelierException($"StyleGAN2 channel count must be positive, got {MaxChannels}");
        if (ChannelMultiplier <= 0) throw new AtelierException($"StyleGAN2 channel_multiplier must be positive, got {ChannelMultiplier}");
        if (ChannelBase is { } cb && cb / Size <= 0) throw new AtelierException($"StyleGAN2 channel base {cb} gives no channels at {Size} px");
        if (ConvClamp is { } clamp && !(clamp > 0)) throw new AtelierException($"StyleGAN2 conv clamp must be positive, got {clamp}");
        return this;
    }

    /// <summary>
    /// The range of latent indices that drive the given resolutions (both inclusive), clamped to the w+ code:
    /// resolution r uses indices 2 (log2 r - 2) and the one after.
    /// </summary>
    public (int First, int Last) LatentRange(int fromResolution, int toResolution)
    {
        int first = 2 * (Log2Exact(fromResolution) - 2);
        int last = Math.Min(2 * (Log2Exact(toResolution) - 2) + 1, NLatent - 1);
        return (first, last);
    }

    /// <summary>
    /// Infers the configuration from generator state-dict keys and shapes (used when a checkpoint has no `args`):
    /// size from the number of `to_rgbs`, style_dim from `style.1.weight`, n_mlp from the `style.N` layers,
    /// channel_multiplier from the 64 px conv (2, the reference default, below 64 px where it does not matter).
    /// </summary>
    public static GeneratorConfig Infer(IReadOnlyDictionary<string, long[]> shapes)
    {
        if (!shapes.TryGetValue("style.1.weight", out var style1) || !shapes.ContainsKey("conv1.conv.weight"))
            throw new AtelierException("not a StyleGAN2 generator state dict (no style.1.weight / conv1.conv.weight)");
        int nMlp = 0;
        while (shapes.ContainsKey($"style.{nMlp + 1}.weight")) nMlp++;
        int toRgbs = 0;
        while (shapes.ContainsKey($"to_rgbs.{toRgbs}.conv.weight")) toRgbs++;
        int size = 1 << (toRgbs + 2);
        int cm = 2;
        // Block b (upsampling conv `convs.{2b}`) works at 2^(b+3) px, so 64 px is block 3.
        if (size >= 64 && shapes.TryGetValue("convs.6.conv.weight", out var w64))
            cm = (int)Math.Max(1, w64[1] / 256);
        int maxChannels = shapes.TryGetValue("input.input", out var constant) ? (int)constant[1] : 512;
        return new GeneratorConfig(size, (int)style1[1], nMlp, cm, MaxChannels: maxChannels).Validate();
    }

    static int Log2Exact(int value)
    {
        if (value <= 0 || (value & (value - 1)) != 0) throw new AtelierException($"{value} is not a power of two");
        return System.Numerics.BitOperations.Log2((uint)value);
    }
}
