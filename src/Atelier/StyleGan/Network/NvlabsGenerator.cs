using Atelier.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// Loads NVlabs/stylegan2-ada-pytorch's generator (a .pkl snapshot's <c>G_ema</c>, read by the restricted
/// unpickler) into Atelier's rosinality-layout <see cref="Generator"/>. The two compute the same function, key for key:
/// <list type="bullet">
/// <item><c>mapping.fc{i}</c> = <c>style.{i+1}</c>: both store N(0,1)/lr_mul weights scaled at run time by lr_mul/sqrt(in),
/// the bias by lr_mul, then leaky ReLU x sqrt 2; z is normalised by its second moment (PixelNorm) first.</item>
/// <item><c>synthesis.b4.const</c> = <c>input.input</c>; each <c>SynthesisLayer</c> (<c>b4.conv1</c>, then
/// <c>b{r}.conv0</c> upsampling and <c>b{r}.conv1</c>) = a <c>StyledConv</c>: <c>affine</c> = <c>modulation</c>
/// (bias 1), the raw conv weight modulated and demodulated (rosinality's extra 1/sqrt(fan-in) cancels in the
/// demodulation), the stride-2 transposed conv then the [1,3,3,1] filter padded (1, 1) with gain 4,
/// <c>noise_const * noise_strength</c> = <c>noises.noise_j * noise.weight</c>, bias, leaky ReLU x sqrt 2.</item>
/// <item><c>ToRGBLayer</c> = <c>ToRGB</c>: the style times 1/sqrt(in) is the weight times it; the skip image is
/// upsampled by the same filter padded (2, 1).</item>
/// <item><c>conv_clamp</c> (256 in the published models) clamps each layer's output, and <c>w_avg</c> is the
/// truncation centre (<see cref="Generator.StoredMeanLatent"/>).</item>
/// </list>
/// Blocks NVlabs runs in float16 on a GPU (<c>num_fp16_res</c>) run in float32 here, as NVlabs' own code does with
/// <c>force_fp32</c> or on the CPU.
/// </summary>
public static class NvlabsGenerator
{
    /// <summary>Sub-networks tried in order: G_ema (the averaged weights meant for sampling), G, a bare generator.</summary>
    static readonly string[] Prefixes = ["G_ema.", "G.", ""];

    /// <summary>The prefix of the NVlabs generator in <paramref name="all"/>, or null when it holds none.</summary>
    public static string? FindPrefix(IReadOnlyDictionary<string, Tensor> all) =>
        Prefixes.FirstOrDefault(p => all.ContainsKey(p + "mapping.fc0.weight") && all.ContainsKey(p + "synthesis.b4.const"));

    /// <summary>Builds the generator from a loaded .pkl (its init_kwargs give conv_clamp, lr multiplier, architecture).</summary>
    public static Generator Load(CheckpointFile file, string prefix, Device? device = null)
    {
        var kwargsPath = prefix.Length == 0 ? "init_kwargs" : prefix + "init_kwargs";
        var kwargs = file.Value(kwargsPath) as IReadOnlyDictionary<string, object?>;
        return FromStateDict(file, prefix, kwargs, file.Path, device);
    }

    /// <summary>
    /// Builds the generator from NVlabs state-dict names under <paramref name="prefix"/>. Without
    /// <paramref name="initKwargs"/> the defaults apply (no conv clamp, lr multiplier 0.01, skip architecture).
    /// </summary>
    public static Generator FromStateDict(IReadOnlyDictionary<string, Tensor> all, string prefix,
        IReadOnlyDictionary<string, object?>? initKwargs, string source, Device? device = null)
    {
        var sd = all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        var mappingKwargs = Sub(initKwargs, "mapping_kwargs");
        var synthesisKwargs = Sub(initKwargs, "synthesis_kwargs");
        var config = Infer(sd, mappingKwargs, synthesisKwargs, source);

        var converted = Convert(sd, config, source);
        float[]? meanW = sd.TryGetValue("mapping.w_avg", out var wAvg) ? wAvg.to(float32).reshape(-1).data<float>().ToArray() : null;
        var generator = new Generator(config) { StoredMeanLatent = meanW };
        try
        {
            // The blur/upsample kernels are the module's own: Convert checked that NVlabs' filter is the same.
            StateDictLoader.Load(generator, converted, strict: true, ignore: k => k.EndsWith(".kernel", StringComparison.Ordinal));
        }
        catch (AtelierException e) { generator.Dispose(); throw new AtelierException($"'{source}': NVlabs generator does not fit: {e.Message}"); }
        finally { foreach (var t in converted.Values) t.Dispose(); }
        generator.eval();
        if (device is not null && device.type != DeviceType.CPU) generator.to(device);
        return generator;
    }

    static IReadOnlyDictionary<string, object?>? Sub(IReadOnlyDictionary<string, object?>? kwargs, string name) =>
        kwargs is not null && kwargs.TryGetValue(name, out var v) ? v as IReadOnlyDictionary<string, object?> : null;

    static object? Arg(IReadOnlyDictionary<string, object?>? kwargs, string name) =>
        kwargs is not null && kwargs.TryGetValue(name, out var v) ? v : null;

    /// <summary>The architecture from the shapes (sizes, channels) and the constructor arguments (the rest).</summary>
    static GeneratorConfig Infer(Dictionary<string, Tensor> sd, IReadOnlyDictionary<string, object?>? mapping,
        IReadOnlyDictionary<string, object?>? synthesis, string source)
    {
        AtelierException Unsupported(string what) => new($"'{source}': {what}, which Atelier's StyleGAN2 generator does not support");
        long[] Shape(string key) => sd.TryGetValue(key, out var t) ? t.shape : throw new AtelierException($"'{source}': NVlabs generator has no '{key}'");
        if (sd.ContainsKey("mapping.embed.weight")) throw Unsupported("a class-conditional NVlabs generator (c_dim > 0)");
        if (Arg(synthesis, "architecture") is string arch && arch != "skip") throw Unsupported($"synthesis architecture '{arch}' (only 'skip', the generator's default)");
        foreach (var kwargs in new[] { mapping, synthesis })
            if (Arg(kwargs, "activation") is string act && act != "lrelu") throw Unsupported($"activation '{act}'");

        int layers = 0;
        while (sd.ContainsKey($"mapping.fc{layers}.weight")) layers++;
        var fc0 = Shape("mapping.fc0.weight");
        long wDim = Shape($"mapping.fc{layers - 1}.weight")[0];
        for (int i = 0; i < layers; i++)
            if (Shape($"mapping.fc{i}.weight") is not [var o, var n] || o != wDim || n != wDim)
                throw Unsupported($"a mapping network whose layers are not all {wDim}x{wDim} (z_dim {fc0[1]}, w_dim {wDim})");

        int size = 4;
        while (sd.ContainsKey($"synthesis.b{size * 2}.conv1.weight")) size *= 2;
        if (size < 8) throw Unsupported($"a {size} px generator");
        if (Shape($"synthesis.b{size}.torgb.weight")[0] is var rgb && rgb != 3) throw Unsupported($"{rgb} image channels");
        // min(channel_base / res, channel_max): the top resolution's channels give the base, the widest the cap.
        var channels = new Dictionary<int, int>();
        for (int r = 4; r <= size; r *= 2) channels[r] = (int)Shape($"synthesis.b{r}.conv1.weight")[0];
        double Number(object value, string name) => value is long or double ? System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)
            : throw new AtelierException($"'{source}': init_kwargs {name} is not a number ({value})");
        double lrMul = Arg(mapping, "lr_multiplier") is { } lr ? Number(lr, "mapping_kwargs.lr_multiplier") : 0.01;
        double? clamp = Arg(synthesis, "conv_clamp") is { } c ? Number(c, "synthesis_kwargs.conv_clamp") : null;
        var config = new GeneratorConfig(size, (int)wDim, layers, LrMlp: lrMul, MaxChannels: channels.Values.Max(),
            ChannelBase: channels[size] * size, ConvClamp: clamp).Validate();
        foreach (var (r, ch) in channels)
            if (config.Channels(r) != ch) throw Unsupported($"channels per resolution ({string.Join(", ", channels.Select(kv => $"{kv.Key}: {kv.Value}"))}) that no channel base and cap give");
        return config;
    }

    /// <summary>NVlabs names and shapes -> rosinality names and shapes (new tensors; the caller disposes them).</summary>
    static Dictionary<string, Tensor> Convert(Dictionary<string, Tensor> sd, GeneratorConfig config, string source)
    {
        Tensor Get(string key) => sd.TryGetValue(key, out var t) ? t : throw new AtelierException($"'{source}': NVlabs generator has no '{key}'");
        var r = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        for (int i = 0; i < config.NMlp; i++)
        {
            r[$"style.{i + 1}.weight"] = Get($"mapping.fc{i}.weight").clone();
            r[$"style.{i + 1}.bias"] = Get($"mapping.fc{i}.bias").clone();
        }
        r["input.input"] = Get("synthesis.b4.const").unsqueeze(0).clone();

        int noiseIndex = 0;
        void Layer(string from, string to)
        {
            var weight = Get(from + ".weight");
            r[to + ".conv.weight"] = weight.unsqueeze(0).clone();
            r[to + ".conv.modulation.weight"] = Get(from + ".affine.weight").clone();
            r[to + ".conv.modulation.bias"] = Get(from + ".affine.bias").clone();
            r[to + ".activate.bias"] = Get(from + ".bias").clone();
            long res = 4L << ((noiseIndex + 1) / 2);
            if (sd.TryGetValue(from + ".noise_strength", out var strength))
            {
                r[to + ".noise.weight"] = strength.reshape(1).clone();
                r[$"noises.noise_{noiseIndex}"] = Get(from + ".noise_const").reshape(1, 1, res, res).clone();
            }
            else
            {
                // use_noise=False: a zero strength adds nothing.
                r[to + ".noise.weight"] = zeros(1);
                r[$"noises.noise_{noiseIndex}"] = zeros(1, 1, res, res);
            }
            if (sd.TryGetValue(from + ".resample_filter", out var filter)) CheckFilter(filter, from, source);
            noiseIndex++;
        }
        void ToRgb(string from, string to)
        {
            r[to + ".conv.weight"] = Get(from + ".weight").unsqueeze(0).clone();
            r[to + ".conv.modulation.weight"] = Get(from + ".affine.weight").clone();
            r[to + ".conv.modulation.bias"] = Get(from + ".affine.bias").clone();
            r[to + ".bias"] = Get(from + ".bias").reshape(1, 3, 1, 1).clone();
        }

        Layer("synthesis.b4.conv1", "conv1");
        ToRgb("synthesis.b4.torgb", "to_rgb1");
        int block = 0;
        for (int res = 8; res <= config.Size; res *= 2, block++)
        {
            if (sd.TryGetValue($"synthesis.b{res}.resample_filter", out var filter)) CheckFilter(filter, $"synthesis.b{res}", source);
            Layer($"synthesis.b{res}.conv0", $"convs.{2 * block}");
            Layer($"synthesis.b{res}.conv1", $"convs.{2 * block + 1}");
            ToRgb($"synthesis.b{res}.torgb", $"to_rgbs.{block}");
        }
        foreach (var t in r.Values) t.MoveToOuterDisposeScope();
        return r;
    }

    /// <summary>Atelier's blur is [1,3,3,1]; NVlabs stores its filter normalised (outer product / 64).</summary>
    static void CheckFilter(Tensor filter, string where, string source)
    {
        using var scope = NewDisposeScope();
        var k = tensor(Generator.DefaultBlurKernel.ToArray());
        var expected = outer(k, k) / (k.sum() * k.sum());
        if (!filter.shape.SequenceEqual(expected.shape) || !allclose(filter.to(float32), expected, rtol: 1e-5, atol: 1e-7))
            throw new AtelierException($"'{source}': {where} resamples with a filter other than [1,3,3,1], which Atelier's StyleGAN2 generator does not support");
    }
}
