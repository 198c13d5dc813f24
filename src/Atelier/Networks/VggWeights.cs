using System.Globalization;
using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Networks;

// Loading weights: layout detection from state-dict keys, and the seeded random built-in network.
public sealed partial class Vgg
{
    /// <summary>
    /// Builds a VGG from a state dict of either layout, detected from its keys: torchvision (<c>features.N.weight</c>;
    /// <c>classifier.*</c> is ignored; VGG-19 or VGG-16 told apart by the convolution indices) or normalised
    /// (<c>N.weight</c> with a 1x1 3→3 convolution at index 0). Files that stop early build a network through the
    /// last convolution present. <paramref name="source"/> names the file in error messages.
    /// </summary>
    public static Vgg FromStateDict(IReadOnlyDictionary<string, Tensor> stateDict, VggPooling pooling = VggPooling.Max, string source = "state dict")
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var (layout, config, convKeys) = DetectLayout(stateDict, source);
        // The deepest convolution in the file decides how far the network is built.
        var plan = Plan(config, layout, pooling);
        try
        {
            var planConvs = plan.Where(l => l.Module is SafeConv2d).Select(l => l.Key).ToList();
            int present = convKeys.Count;
            for (int i = 0; i < present; i++)
                if (i >= planConvs.Count || planConvs[i] != convKeys[i])
                    throw new AtelierException($"{source}: convolution keys ({string.Join(", ", convKeys.Take(8))}...) do not follow the {layout} {config} layout (expected {string.Join(", ", planConvs.Take(8))}...)");
            string? upTo = null;
            bool complete = present == planConvs.Count;
            if (!complete || layout == VggLayout.Normalised)
            {
                int lastConv = plan.FindIndex(l => l.Key == convKeys[^1]);
                upTo = plan[lastConv + 1].Name; // the ReLU after the last convolution
            }
            var vgg = new Vgg(config, layout, pooling, upTo);
            try
            {
                vgg.CopyFrom(stateDict, source);
                return Frozen(vgg).Describe(source);
            }
            catch { vgg.Dispose(); throw; }
        }
        finally { foreach (var l in plan) l.Module.Dispose(); }
    }

    /// <summary>Which layout a state dict is in, and its convolution keys (the reference's Sequential indices) in order.</summary>
    internal static (VggLayout Layout, VggConfig Config, List<string> ConvKeys) DetectLayout(IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        var keys = stateDict.Keys.ToList();
        if (keys.Any(k => k.StartsWith("features.", StringComparison.Ordinal) && (k.EndsWith(".running_mean", StringComparison.Ordinal) || k.EndsWith(".running_var", StringComparison.Ordinal))))
            throw new AtelierException($"{source}: a batch-normalised VGG (vgg19_bn/vgg16_bn) is not supported; use torchvision's plain vgg19 or vgg16 weights (e.g. vgg19-dcbb9e9d.pth)");

        var tv = ConvIndices(stateDict, TorchVisionKey());
        if (tv.Count > 0)
        {
            // VGG-19 and VGG-16 share the first seven convolution indices; the eighth is 16 in VGG-19, 17 in VGG-16.
            var config = tv.Count > 7 && tv[7] == 17 ? VggConfig.Vgg16 : VggConfig.Vgg19;
            return (VggLayout.TorchVision, config, tv.Select(i => $"{i}").ToList());
        }
        var norm = ConvIndices(stateDict, NormalisedKey());
        if (norm.Count > 0 && stateDict.TryGetValue("0.weight", out var first) && first.shape.SequenceEqual(new long[] { 3, 3, 1, 1 }))
            return (VggLayout.Normalised, VggConfig.Vgg19, norm.Select(i => $"{i}").ToList());

        var sample = string.Join(", ", keys.Take(10).Select(k => $"{k} [{string.Join("x", stateDict[k].shape)}]"));
        throw new AtelierException(
            $"{source}: not a VGG of a known layout. Expected torchvision's vgg19/vgg16 (keys features.0.weight, features.2.weight, ...) " +
            $"or the AdaIN/WCT normalised VGG (keys 0.weight [3x3x1x1], 2.weight, 5.weight, ...); found {keys.Count} keys: {sample}{(keys.Count > 10 ? ", ..." : "")}");
    }

    static List<int> ConvIndices(IReadOnlyDictionary<string, Tensor> stateDict, Regex pattern) =>
        stateDict.Where(kv => kv.Value.dim() == 4)
            .Select(kv => pattern.Match(kv.Key))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Distinct().Order().ToList();

    [GeneratedRegex(@"^features\.(\d+)\.weight$")]
    private static partial Regex TorchVisionKey();

    [GeneratedRegex(@"^(\d+)\.weight$")]
    private static partial Regex NormalisedKey();

    /// <summary>Copies every parameter of this network from <paramref name="stateDict"/> by name, checking shapes.</summary>
    void CopyFrom(IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        using var _ = no_grad();
        var missing = new List<string>();
        foreach (var (name, p) in named_parameters())
        {
            if (!stateDict.TryGetValue(name, out var t)) { missing.Add(name); continue; }
            if (!t.shape.SequenceEqual(p.shape))
                throw new AtelierException($"{source}: {name} has shape [{string.Join("x", t.shape)}], expected [{string.Join("x", p.shape)}]");
            p.copy_(t);
        }
        if (missing.Count > 0)
            throw new AtelierException($"{source}: missing {string.Join(", ", missing)}");
    }

    /// <summary>The fixed seed of the built-in network's weights (independent of the user's seed).</summary>
    public const ulong BuiltInSeed = 20160907;

    /// <summary>
    /// A VGG-19 (torchvision layout) with seeded random weights, usable without downloading anything: He-normal
    /// convolutions, zero biases, then each convolution rescaled in turn so its output has unit standard deviation on
    /// a fixed smooth-noise image (layer-sequential unit variance), which keeps activations at the same magnitude
    /// through depth. Random-weight VGGs still carry enough multi-scale structure for Gram-matrix textures and
    /// stylisation (He, Wang and Hopcroft 2016; Ustyuzhaninov et al. 2016); trained weights do better.
    /// The same weights on every machine and run, whatever the global seed.
    /// </summary>
    /// <param name="config">VGG-19 by default; a <see cref="VggConfig.Narrow"/> one gives a tiny network for tests.</param>
    public static Vgg BuiltIn(VggPooling pooling = VggPooling.Max, string? upToLayer = null, VggConfig? config = null) =>
        BuiltIn(VggLayout.TorchVision, pooling, upToLayer, config);

    /// <summary>
    /// The normalised-VGG layout of AdaIN/WCT (keys <c>N.weight</c>) with the same seeded, variance-calibrated random
    /// weights as <see cref="BuiltIn(VggPooling, string?, VggConfig?)"/>; its first 1x1 convolution folds the ImageNet
    /// normalisation, as vgg_normalised.pth's folds its preprocessing. Decoders trained on it (`adain train`
    /// without --vgg) work with `adain stylize` without --vgg.
    /// </summary>
    public static Vgg BuiltInNormalised(string upToLayer = "relu4_1", VggConfig? config = null) =>
        BuiltIn(VggLayout.Normalised, VggPooling.Max, upToLayer, config);

    static Vgg BuiltIn(VggLayout layout, VggPooling pooling, string? upToLayer, VggConfig? config)
    {
        var vgg = new Vgg(config ?? VggConfig.Vgg19, layout, pooling, upToLayer);
        bool normalised = layout == VggLayout.Normalised;
        using (no_grad())
        using (var gen = new Generator(BuiltInSeed, CPU))
        using (var scope = NewDisposeScope())
        {
            var first = normalised ? vgg._layers[0].Module as SafeConv2d : null;
            if (first is not null)
            {
                // (x - mean) / std per channel, as a 1x1 convolution.
                var mean = tensor(new float[] { 0.485f, 0.456f, 0.406f });
                var std = tensor(new float[] { 0.229f, 0.224f, 0.225f });
                first.Weight.copy_(diag(std.reciprocal()).view(3, 3, 1, 1));
                first.Bias!.copy_(-mean / std);
            }
            foreach (var l in vgg._layers)
            {
                if (l.Module is not SafeConv2d conv || conv == first) continue;
                var w = conv.Weight;
                long fanIn = w.shape[1] * w.shape[2] * w.shape[3];
                w.copy_(randn(w.shape, generator: gen) * Math.Sqrt(2.0 / fanIn));
                conv.Bias!.zero_();
            }
            // Calibrate on a fixed image-like input: sum of upsampled noise octaves, in [0,1].
            var image = CalibrationImage(gen, 128);
            var h = normalised ? image : NormaliseImageNet(image);
            foreach (var l in vgg._layers)
            {
                var next = l.Module.forward(h);
                if (l.Module is SafeConv2d conv && conv != first)
                {
                    double std = next.std().item<float>();
                    if (std > 1e-12)
                    {
                        conv.Weight.div_(std);
                        next = next / std;
                    }
                }
                h = next;
            }
        }
        return Frozen(vgg).Describe($"{vgg.Config.Name}-random");
    }

    /// <summary>A smooth random RGB image in [0,1] (1×3×size×size) with structure at every scale.</summary>
    static Tensor CalibrationImage(Generator gen, int size)
    {
        var img = zeros(1, 3, size, size);
        for (int s = 4; s <= size; s *= 2)
        {
            var octave = rand(new long[] { 1, 3, s, s }, generator: gen);
            img.add_(nn.functional.interpolate(octave, size: [size, size], mode: InterpolationMode.Bilinear, align_corners: false));
        }
        var min = img.min(); var max = img.max();
        return (img - min) / (max - min);
    }
}
