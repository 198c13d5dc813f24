using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

// The generator: its configuration (sizes, channels per resolution) and the network (mapping, synthesis, truncation).

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

/// <summary>
/// The StyleGAN2 generator in the layout of rosinality/stylegan2-pytorch, so its `g_ema` state dict loads by name.
/// Mapping: `style` = PixelNorm + n_mlp EqualLinear (lr_mul 0.01, fused leaky ReLU). Synthesis: `input` (learned
/// 4x4), `conv1` + `to_rgb1` at 4 px, then per resolution `convs.{2i}` (upsampling), `convs.{2i+1}` and
/// `to_rgbs.{i}`, with fixed noise maps in `noises.noise_{j}`.
/// </summary>
public sealed class Generator : nn.Module
{
    public static readonly IReadOnlyList<float> DefaultBlurKernel = new float[] { 1, 3, 3, 1 };

    readonly Sequential style;
    readonly ConstantInput input;
    readonly StyledConv conv1;
    readonly ToRGB to_rgb1;
    readonly ModuleList<StyledConv> convs;
    readonly ModuleList<ToRGB> to_rgbs;
    readonly NoiseBuffers noises;

    public GeneratorConfig Config { get; }
    public int Size => Config.Size;
    public int StyleDim => Config.StyleDim;
    public int NLatent => Config.NLatent;
    public int NumLayers => Config.NumLayers;

    public Generator(GeneratorConfig config) : base(nameof(Generator))
    {
        Config = config.Validate();
        var mapping = new List<(string, nn.Module<Tensor, Tensor>)> { ("0", new PixelNorm()) };
        for (int i = 1; i <= config.NMlp; i++)
            mapping.Add((i.ToString(), new EqualLinear(config.StyleDim, config.StyleDim, lrMul: config.LrMlp, fusedLeakyRelu: true)));
        style = nn.Sequential(mapping.ToArray());

        long c4 = config.Channels(4);
        input = new ConstantInput(c4);
        var clamp = config.ConvClamp;
        conv1 = new StyledConv(c4, c4, 3, config.StyleDim, clamp: clamp);
        to_rgb1 = new ToRGB(c4, config.StyleDim, upsample: false, clamp: clamp);

        convs = new ModuleList<StyledConv>();
        to_rgbs = new ModuleList<ToRGB>();
        long inChannels = c4;
        for (int i = 3; i <= config.LogSize; i++)
        {
            long outChannels = config.Channels(1 << i);
            convs.Add(new StyledConv(inChannels, outChannels, 3, config.StyleDim, upsample: true, clamp: clamp));
            convs.Add(new StyledConv(outChannels, outChannels, 3, config.StyleDim, clamp: clamp));
            to_rgbs.Add(new ToRGB(outChannels, config.StyleDim, clamp: clamp));
            inChannels = outChannels;
        }
        noises = new NoiseBuffers(config.NumLayers);

        register_module("style", style);
        register_module("input", input);
        register_module("conv1", conv1);
        register_module("to_rgb1", to_rgb1);
        register_module("convs", convs);
        register_module("to_rgbs", to_rgbs);
        register_module("noises", noises);
    }

    public Sequential Mapping => style;

    /// <summary>
    /// The mean w the checkpoint carries, when it does (NVlabs' w_avg, tracked during training): the truncation
    /// centre, used instead of an estimate. Null for rosinality's files, which carry none.
    /// </summary>
    public float[]? StoredMeanLatent { get; init; }

    /// <summary>The fixed noise map of synthesis layer <paramref name="index"/> (what randomize_noise=False uses).</summary>
    public Tensor StoredNoise(int index) => noises.Get(index);

    /// <summary>The device the weights live on.</summary>
    public Device Device => input.parameters().First().device;

    /// <summary>z (batch, style_dim) -> w (batch, style_dim) through the mapping network.</summary>
    public Tensor Map(Tensor z) => style.call(z);

    /// <summary>
    /// The mean w over <paramref name="samples"/> z ~ N(0, I) (the truncation centre), drawn from <paramref name="rng"/>
    /// in chunks so memory stays small. Returns (1, style_dim).
    /// </summary>
    public Tensor MeanLatent(int samples = 4096, torch.Generator? rng = null)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = Device;
        var sum = zeros(1, StyleDim, device: device);
        for (int done = 0; done < samples;)
        {
            int n = Math.Min(1024, samples - done);
            using var inner = NewDisposeScope();
            var z = randn(n, StyleDim, generator: rng).to(device);
            sum.add_(Map(z).sum(0, keepdim: true));
            done += n;
        }
        return (sum / samples).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A seed's w (1, style_dim): the seed's own z (<see cref="SeedList.Z"/>) through the mapping network, truncated
    /// toward <paramref name="wMean"/> when <paramref name="psi"/> &lt; 1. One recipe for the CLI, the studio and the demo.
    /// </summary>
    public Tensor SeedW(long seed, Tensor? wMean = null, double psi = 1)
    {
        using var scope = NewDisposeScope();
        var w = Map(SeedList.Z(seed, StyleDim).to(Device));
        if (psi < 1)
        {
            if (wMean is null) throw new ArgumentException("truncation needs the mean w", nameof(wMean));
            w = Truncate(w, wMean, psi);
        }
        return w.MoveToOuterDisposeScope();
    }

    /// <summary>w' = w_mean + psi (w - w_mean).</summary>
    public static Tensor Truncate(Tensor w, Tensor wMean, double psi) => psi >= 1 ? w.alias() : wMean + psi * (w - wMean);

    /// <summary>(batch, style_dim) -> (batch, n_latent, style_dim); a w+ code passes through (checked).</summary>
    public Tensor Broadcast(Tensor w)
    {
        if (w.dim() == 3)
        {
            if (w.shape[1] != NLatent || w.shape[2] != StyleDim)
                throw new AtelierException($"a w+ code for this generator is (n, {NLatent}, {StyleDim}), got ({string.Join(", ", w.shape)})");
            return w.alias();
        }
        if (w.dim() != 2 || w.shape[1] != StyleDim)
            throw new AtelierException($"a latent for this generator is (n, {StyleDim}), got ({string.Join(", ", w.shape)})");
        return w.unsqueeze(1).repeat(1, NLatent, 1);
    }

    /// <summary>Style mixing: the first <paramref name="injectIndex"/> latents from <paramref name="w1"/>, the rest from <paramref name="w2"/>.</summary>
    public Tensor Mix(Tensor w1, Tensor w2, int injectIndex)
    {
        if (injectIndex < 0 || injectIndex > NLatent)
            throw new AtelierException($"inject index {injectIndex} is outside 0..{NLatent}");
        using var scope = NewDisposeScope();
        var a = Broadcast(w1);
        var b = Broadcast(w2);
        return cat(new[] { a.narrow(1, 0, injectIndex), b.narrow(1, injectIndex, NLatent - injectIndex) }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The synthesis network: w+ (batch, n_latent, style_dim) -> image (batch, 3, size, size) in about [-1, 1].
    /// <paramref name="noise"/>: one map per layer (null entries draw fresh noise); when null, the stored maps
    /// (<paramref name="randomizeNoise"/> false) or fresh noise (true), drawn from <paramref name="rng"/> when given
    /// (a caller's own generator keeps concurrent seeded work reproducible) and from torch's global one otherwise.
    /// </summary>
    public Tensor Synthesize(Tensor wplus, IReadOnlyList<Tensor?>? noise = null, bool randomizeNoise = false, torch.Generator? rng = null)
    {
        using var scope = NewDisposeScope();
        var latent = Broadcast(wplus);
        if (noise is not null && noise.Count != NumLayers)
            throw new ArgumentException($"expected {NumLayers} noise maps, got {noise.Count}", nameof(noise));
        Tensor? Fresh(int j)
        {
            if (rng is null) return null; // NoiseInjection draws it
            var shape = noises.Get(j).shape;
            return randn(new[] { latent.shape[0], 1, shape[2], shape[3] }, generator: rng).to(latent.device);
        }
        Tensor? Noise(int j) => noise is not null ? noise[j] ?? Fresh(j) : randomizeNoise ? Fresh(j) : noises.Get(j);

        var x = input.forward(latent.shape[0]);
        x = conv1.forward(x, latent[TensorIndex.Colon, 0], Noise(0));
        var skip = to_rgb1.forward(x, latent[TensorIndex.Colon, 1], null);
        int i = 1;
        for (int block = 0; block < to_rgbs.Count; block++)
        {
            Runtime.AmbientCancellation.ThrowIfRequested(); // a stop request ends the pass between resolutions
            x = convs[2 * block].forward(x, latent[TensorIndex.Colon, i], Noise(2 * block + 1));
            x = convs[2 * block + 1].forward(x, latent[TensorIndex.Colon, i + 1], Noise(2 * block + 2));
            skip = to_rgbs[block].forward(x, latent[TensorIndex.Colon, i + 2], skip);
            i += 2;
        }
        return skip.MoveToOuterDisposeScope();
    }

    /// <summary>z or w (batch, style_dim) or w+ -> images, with optional truncation toward <paramref name="wMean"/>.</summary>
    public Tensor Generate(Tensor latent, LatentSpace space, double truncation = 1, Tensor? wMean = null, bool randomizeNoise = false, torch.Generator? rng = null)
    {
        using var scope = NewDisposeScope();
        var w = space == LatentSpace.Z ? Map(latent) : latent;
        if (truncation < 1)
        {
            if (wMean is null) throw new ArgumentException("truncation needs the mean w", nameof(wMean));
            w = Truncate(w, wMean, truncation);
        }
        return Synthesize(w, null, randomizeNoise, rng).MoveToOuterDisposeScope();
    }

    /// <summary>The `noises` submodule: one fixed noise buffer per synthesis layer, (1, 1, 2^r, 2^r) with r = (j + 5) / 2.</summary>
    sealed class NoiseBuffers : nn.Module
    {
        readonly List<Tensor> maps = new();

        public NoiseBuffers(int numLayers) : base("noises")
        {
            for (int j = 0; j < numLayers; j++)
            {
                long res = 1L << ((j + 5) / 2);
                var map = randn(1, 1, res, res);
                maps.Add(map);
                register_buffer($"noise_{j}", map);
            }
        }

        public Tensor Get(int j) => named_buffers().First(b => b.name == $"noise_{j}").buffer;
    }
}

/// <summary>Which space a latent lives in: z (mapping input), w (one style), w+ (one style per layer).</summary>
public enum LatentSpace { Z, W, WPlus }
