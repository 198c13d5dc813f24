using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Arbitrary style transfer with an encoder (the normalised VGG-19) and one or more decoders: AdaIN at relu4_1 as in
/// pytorch-AdaIN's test.py, or WCT — single level with the relu4_1 decoder, or multi-level (coarse to fine, Li et al.
/// 2017) when a decoder is given per level. Supports alpha, weighted interpolation of several styles, colour
/// preservation and spatial control by masks. Images are (1, 3, H, W) RGB in [0,1]; the output is unclamped and has
/// the content's size.
/// </summary>
public sealed class AdaInStylizer : IDisposable
{
    readonly bool _ownsModules;

    /// <summary>The normalised VGG-19, or the built-in ResNet-18 for decoders trained on it.</summary>
    public FeatureNetwork Encoder { get; }

    /// <summary>Decoders ordered deepest level first (relu4_1, relu3_1, ...).</summary>
    public IReadOnlyList<AdaInDecoder> Decoders { get; }

    /// <summary>
    /// Checks that every decoder fits the encoder (its input channels are those of the encoder layer it inverts, and
    /// the encoder reaches that layer); otherwise an <see cref="AtelierException"/> that says which does not fit.
    /// </summary>
    public AdaInStylizer(FeatureNetwork encoder, IReadOnlyList<AdaInDecoder> decoders, bool ownsModules = false)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (decoders.Count == 0) throw new AtelierException("no decoder given");
        foreach (var d in decoders)
        {
            if (!encoder.LayerNames.Contains(d.EncoderLayer))
                throw new AtelierException($"the decoder inverts {d.EncoderLayer} but the encoder stops at {encoder.LastLayer}");
            int channels = encoder.ChannelsOf(d.EncoderLayer);
            if (channels != d.InputChannels)
                throw new AtelierException($"the decoder takes {d.InputChannels} channels but the encoder's {d.EncoderLayer} gives {channels}: they do not belong together");
        }
        var levels = decoders.Select(d => d.EncoderLayer).ToList();
        if (levels.Distinct().Count() != levels.Count)
            throw new AtelierException($"two decoders for the same level ({string.Join(", ", levels)})");
        Encoder = encoder;
        Decoders = [.. decoders.OrderByDescending(d => d.Upsamplings)];
        _ownsModules = ownsModules;
    }

    public AdaInStylizer(FeatureNetwork encoder, AdaInDecoder decoder, bool ownsModules = false) : this(encoder, [decoder], ownsModules) { }

    /// <summary>
    /// Loads the normalised VGG (e.g. vgg_normalised.pth or adain_vgg_normalised_relu4_1.pth) and one decoder per level
    /// (decoder.pth of pytorch-AdaIN for relu4_1, or a decoder or run checkpoint of `adain train`), checking that they fit together.
    /// </summary>
    public static AdaInStylizer Load(string vggPath, IReadOnlyList<string> decoderPaths, Device? device = null)
    {
        var encoder = LoadWith(vggPath, sd => Vgg.FromStateDict(sd, VggPooling.Max, vggPath));
        if (encoder.Layout != VggLayout.Normalised)
        {
            encoder.Dispose();
            throw new AtelierException($"{vggPath}: a torchvision VGG; AdaIN/WCT decoders are trained on the normalised VGG-19 (vgg_normalised.pth, keys 0.weight, 2.weight, ...)");
        }
        return Load(encoder, decoderPaths, device);
    }

    /// <summary>Takes ownership of <paramref name="encoder"/> (a normalised-layout VGG, or the network a decoder was trained on) and loads the decoders.</summary>
    public static AdaInStylizer Load(FeatureNetwork encoder, IReadOnlyList<string> decoderPaths, Device? device = null)
    {
        bool handedOver = false;
        try { return Assemble(_ => { handedOver = true; return encoder; }, decoderPaths, device); }
        catch { if (!handedOver) encoder.Dispose(); throw; }
    }

    /// <summary>
    /// The decoders with the built-in encoder they were trained on: the ResNet-18 for decoders that say so in their
    /// metadata (`adain train` on it), else the seeded normalised VGG-19 (<paramref name="vggFallback"/> makes it).
    /// </summary>
    public static AdaInStylizer LoadBuiltIn(IReadOnlyList<string> decoderPaths, Func<FeatureNetwork> vggFallback, Device? device = null) =>
        Assemble(decoders =>
        {
            var kinds = decoders.Select(d => d.Encoder ?? "vgg").Distinct().ToList();
            if (kinds.Count > 1) throw new AtelierException($"the decoders were trained on different encoders ({string.Join(", ", kinds)})");
            return kinds[0] == FeatureNetworks.ResNet18 ? ResNetFeatures.BuiltIn()
                : kinds[0] == "vgg" ? vggFallback()
                : throw new AtelierException($"{decoderPaths[0]}: a decoder for the encoder '{kinds[0]}', which is not built in; pass that encoder's file");
        }, decoderPaths, device);

    /// <summary>
    /// Loads the decoders (a training run's checkpoint.safetensors too: its decoder.*), gets the encoder for them and
    /// checks that they fit; the decoders, and the encoder once it is handed over, are disposed if anything fails.
    /// </summary>
    static AdaInStylizer Assemble(Func<IReadOnlyList<AdaInDecoder>, FeatureNetwork> encoderFor, IReadOnlyList<string> decoderPaths, Device? device)
    {
        var decoders = new List<AdaInDecoder>();
        FeatureNetwork? encoder = null;
        try
        {
            foreach (var p in decoderPaths) decoders.Add(LoadDecoder(p));
            encoder = encoderFor(decoders);
            // A decoder made for another encoder (Atelier's ResNet-18 one, the default) cannot invert a VGG's features.
            if (encoder is Vgg && decoders.FindIndex(d => d.Encoder is not null) is int other and >= 0)
                throw new AtelierException($"{decoderPaths[other]}: a decoder for the {decoders[other].Encoder} encoder ({decoders[other].EncoderLayer}), not for a normalised VGG-19; "
                    + "pair the VGG with a decoder trained on it (pytorch-AdaIN's decoder.pth, the catalogue's adain-decoder)");
            var stylizer = new AdaInStylizer(encoder, decoders, ownsModules: true);
            if (device is not null) { encoder.to(device); foreach (var d in decoders) d.to(device); }
            return stylizer;
        }
        catch
        {
            encoder?.Dispose();
            foreach (var d in decoders) d.Dispose();
            throw;
        }
    }

    /// <summary>A decoder file: pytorch-AdaIN's decoder.pth, an `adain train` output, or its run checkpoint.</summary>
    public static AdaInDecoder LoadDecoder(string path)
    {
        using var file = Checkpoint.Load(path);
        var meta = file.Metadata;
        if (meta.GetValueOrDefault("architecture") == AdaInDecoder.MirrorArchitecture)
            return AdaInDecoder.FromStateDict((meta.GetValueOrDefault("atelier.kind") ?? meta.GetValueOrDefault("kind")) == "adain-decoder" ? file.Select("decoder.") : file.StateDict, path, meta);
        var sd = Checkpoint.NetworkStateDict(file, ArchitectureKind.AdaInDecoderRun);
        try { return AdaInDecoder.FromStateDict(sd, path); }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }

    static T LoadWith<T>(string path, Func<IReadOnlyDictionary<string, Tensor>, T> build, params ArchitectureKind[] runKinds)
    {
        var sd = Checkpoint.LoadNetworkStateDict(path, runKinds);
        try { return build(sd); }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }

    /// <summary>Stylises <paramref name="content"/> with <paramref name="styles"/>; see the class summary.</summary>
    public Tensor Stylize(Tensor content, IReadOnlyList<StyleInput> styles, AdaInOptions? options = null)
    {
        options ??= new AdaInOptions();
        Validate(content, styles, options);
        // Too small for the encoder's padding and pooling: one clear line, not libtorch's native message.
        Encoder.CheckInputSize(content.shape[3], content.shape[2], "the content picture");
        for (int i = 0; i < styles.Count; i++) Encoder.CheckInputSize(styles[i].Image.shape[3], styles[i].Image.shape[2], styles.Count == 1 ? "the style picture" : $"style picture {i + 1}");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var weights = NormalisedWeights(styles);
        var styleImages = styles.Select(s => options.PreserveColor ? ColorTransfer.Coral(s.Image, content) : s.Image).ToList();

        IReadOnlyList<AdaInDecoder> levels = options.Transform == FeatureTransform.AdaIn ? [Decoders[0]] : Decoders;
        if (options.Transform == FeatureTransform.AdaIn && Decoders.Count > 1)
            throw new AtelierException($"AdaIN uses one decoder ({Decoders[0].EncoderLayer}); several decoders are for multi-level WCT");
        if (options.Transform == FeatureTransform.AdaIn && Encoder is Vgg && Decoders[0].EncoderLayer != "relu4_1")
            throw new AtelierException($"AdaIN needs the relu4_1 decoder, this one inverts {Decoders[0].EncoderLayer}");

        var image = content;
        int h = (int)content.shape[2], w = (int)content.shape[3];
        foreach (var decoder in levels)
        {
            string layer = decoder.EncoderLayer;
            int m = decoder.EdgeMargin(h, w);
            var levelStyles = m > 0 ? styles.Select(s => s.Mask is null ? s : s with { Mask = AdaInDecoder.Reflect(s.Mask, m) }).ToList() : styles;
            var fc = Encoder.Features(AdaInDecoder.Reflect(image, m), [layer])[layer];
            var target = Transform(fc, styleImages, levelStyles, weights, layer, options);
            // Cut the margin off; ceil-mode pooling rounds odd sizes up and the decoder then gives a slightly larger image: crop to the content.
            image = decoder.forward(target)[.., .., m..(m + h), m..(m + w)];
        }
        return image.MoveToOuterDisposeScope();
    }

    /// <summary>One picture in one style, pictures in and out (on the encoder's device): evaluation, samples, held-out figures.</summary>
    public Image Stylize(Image content, Image style, AdaInOptions? options = null)
    {
        using var scope = NewDisposeScope();
        var device = Encoder.Device;
        return ImageTensors.FromTensor(Stylize(ImageTensors.ToTensor(content, ValueRange.ZeroOne, device),
            [new StyleInput(ImageTensors.ToTensor(style, ValueRange.ZeroOne, device))], options).cpu());
    }

    Tensor Transform(Tensor fc, List<Tensor> styleImages, IReadOnlyList<StyleInput> styles, double[] weights, string layer, AdaInOptions options)
    {
        bool masked = styles.Any(s => s.Mask is not null);
        Tensor target;
        if (!masked)
        {
            target = zeros_like(fc);
            for (int i = 0; i < styles.Count; i++)
            {
                var fs = Encoder.Features(styleImages[i], [layer])[layer];
                var t = options.Transform == FeatureTransform.AdaIn ? AdaIn.Transfer(fc, fs) : Wct.Transfer(fc, fs, 1.0, options.WctRidge);
                target = target + t * weights[i];
            }
        }
        else
        {
            // Spatial control: each style acts on its region only; positions no mask covers keep the content features.
            target = zeros_like(fc);
            var covered = zeros(1, 1, fc.shape[2], fc.shape[3], dtype: fc.dtype);
            for (int i = 0; i < styles.Count; i++)
            {
                var m = FeatureMask(styles[i].Mask!, fc);
                m = m * (1 - covered); // the first style listed wins where masks overlap
                if (m.sum().item<float>() < 2) continue;
                covered = covered + m;
                var fs = Encoder.Features(styleImages[i], [layer])[layer];
                var t = options.Transform == FeatureTransform.AdaIn ? AdaIn.TransferMasked(fc, fs, m) : MaskedWct(fc, fs, m, options.WctRidge);
                target = target + t;
            }
            target = target + fc * (1 - covered);
        }
        return AdaIn.Blend(target, fc, options.Alpha);
    }

    /// <summary>WCT of the content positions inside the mask only (scattered back; zero elsewhere).</summary>
    static Tensor MaskedWct(Tensor fc, Tensor fs, Tensor mask, double ridge)
    {
        long c = fc.shape[1];
        var flat = fc.reshape(c, -1);
        var idx = mask.reshape(-1).nonzero().reshape(-1);
        var region = flat.index_select(1, idx).reshape(1, c, 1, -1);
        var t = Wct.Transfer(region, fs, 1.0, ridge).reshape(c, -1);
        var result = zeros_like(flat).index_copy(1, idx, t);
        return result.reshape(fc.shape);
    }

    /// <summary>A content-size mask brought to the feature grid (nearest), as 0/1.</summary>
    static Tensor FeatureMask(Tensor mask, Tensor features)
    {
        var m = mask.to(features.dtype);
        if (m.dim() == 3) m = m.unsqueeze(0);
        var small = nn.functional.interpolate(m, size: [features.shape[2], features.shape[3]], mode: InterpolationMode.Nearest);
        return (small > 0.5).to(features.dtype);
    }

    static double[] NormalisedWeights(IReadOnlyList<StyleInput> styles)
    {
        double sum = styles.Sum(s => s.Weight);
        if (styles.Any(s => s.Mask is not null)) return [.. styles.Select(_ => 1.0)];
        if (!(sum > 0) || styles.Any(s => s.Weight < 0 || double.IsNaN(s.Weight)))
            throw new AtelierException($"style weights ({string.Join(", ", styles.Select(s => s.Weight))}) must be non-negative and sum to a positive number");
        return [.. styles.Select(s => s.Weight / sum)];
    }

    static void Validate(Tensor content, IReadOnlyList<StyleInput> styles, AdaInOptions options)
    {
        if (content.dim() != 4 || content.shape[0] != 1 || content.shape[1] != 3)
            throw new AtelierException($"the content must be one RGB image (1×3×H×W), got [{string.Join(", ", content.shape)}]");
        if (styles.Count == 0) throw new AtelierException("no style image given");
        if (!(options.Alpha >= 0 && options.Alpha <= 1))
            throw new AtelierUsageException($"{{Alpha}} {options.Alpha}: must be between 0 and 1");
        foreach (var s in styles)
            if (s.Image.dim() != 4 || s.Image.shape[0] != 1 || s.Image.shape[1] != 3)
                throw new AtelierException($"a style must be one RGB image (1×3×H×W), got [{string.Join(", ", s.Image.shape)}]");
        int masks = styles.Count(s => s.Mask is not null);
        if (masks > 0 && masks != styles.Count)
            throw new AtelierException($"with spatial control every style needs a mask ({masks} masks for {styles.Count} styles)");
        foreach (var s in styles)
            if (s.Mask is { } m && (m.shape[^1] != content.shape[3] || m.shape[^2] != content.shape[2]))
                throw new AtelierException($"a mask is {m.shape[^1]}x{m.shape[^2]} but the content is {content.shape[3]}x{content.shape[2]}; masks must have the content's size");
        _ = NormalisedWeights(styles);
    }

    public void Dispose()
    {
        if (!_ownsModules) return;
        Encoder.Dispose();
        foreach (var d in Decoders) d.Dispose();
    }
}
