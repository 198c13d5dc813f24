using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Networks;

/// <summary>
/// VGG-19 / VGG-16 feature extractor (no classifier) for perceptual losses, Gram-matrix style losses and encoders.
/// Input: RGB in [0,1], shape (N, 3, H, W). Layers are named conv1_1 ... relu5_4 and pool1 ... pool5.
/// <para>
/// Submodules are registered with the reference's index names so checkpoints load by name:
/// torchvision layout → <c>features.0.weight</c>, <c>features.2.weight</c>, ...; normalised layout (AdaIN/WCT) →
/// <c>0.weight</c>, <c>2.weight</c>, <c>5.weight</c>, ...
/// </para>
/// <para>
/// Construct with <see cref="TorchVision"/>, <see cref="Normalised"/>, <see cref="BuiltIn"/> (seeded random weights,
/// no file needed) or <see cref="FromStateDict"/> (layout detected from the keys). Factories return the network in
/// eval mode with gradients off for its parameters (it is a fixed loss network; gradients still flow to the input).
/// </para>
/// </summary>
public sealed partial class Vgg : FeatureNetwork
{
    /// <summary>ImageNet statistics torchvision's weights were trained with (applied inside for that layout).</summary>
    static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>One entry of the layer sequence: its index key, public layer name (null for padding / the input conv), module.</summary>
    sealed record Layer(string Key, string? Name, nn.Module<Tensor, Tensor> Module);

    readonly List<Layer> _layers = [];
    readonly Dictionary<string, int> _position = new(StringComparer.Ordinal);

    public VggConfig Config { get; }
    public VggLayout Layout { get; }
    public VggPooling Pooling { get; }

    /// <summary>
    /// Apply ReLUs in place on convolution outputs nobody asked for (as torchvision does): saves a full-size
    /// allocation and a memory pass per layer. On by default; off only for comparisons (see bench/).
    /// </summary>
    public bool InPlaceRelu { get; set; } = true;

    /// <summary>Public layer names in forward order (conv1_1, relu1_1, conv1_2, ..., pool1, ...), up to the last one built.</summary>
    public override IReadOnlyList<string> LayerNames { get; }

    string? _description;

    /// <summary>"vgg19-random" for the built-in weights, the file for loaded ones, else the configuration.</summary>
    public override string Description => _description ?? Config.Name;

    internal Vgg Describe(string description) { _description = description; return this; }

    /// <summary>Gatys et al.'s layers and the weights Atelier's defaults were tuned with.</summary>
    public override FeatureRecipe Recipe => DefaultRecipe;

    public static FeatureRecipe DefaultRecipe { get; } = new()
    {
        StyleLayers = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"],
        ContentLayers = ["relu4_2"],
        TextureStyleWeight = 1e6,
        TransferStyleWeight = 1e3,
    };

    /// <summary>
    /// torchvision's pools floor (each one built halves the side); the normalised layout's round up, but its convolutions
    /// pad by reflection, which needs at least 2 px at the deepest level (a 1x1 content once reached libtorch's own error).
    /// </summary>
    public override int MinimumInputSide => Layout == VggLayout.Normalised
        ? 2 << LayerNames.Count(n => n.StartsWith("pool", StringComparison.Ordinal))
        : 1 << LayerNames.Count(n => n.StartsWith("pool", StringComparison.Ordinal));

    public override bool IsLayerNameOfFamily(string layer) => IsLayerName(layer);

    public override string LayerNameExamples => string.Join(", ", LayerNames.Where(n => n.StartsWith("relu", StringComparison.Ordinal)));

    /// <summary>Channels of the output of a named layer.</summary>
    public override int ChannelsOf(string layer)
    {
        var (block, _) = ParseLayerName(RequireLayer(layer));
        return Config.BlockChannels[block - 1];
    }

    /// <summary>Spatial downsampling factor of a named layer relative to the input (1, 2, 4, 8, 16 or 32).</summary>
    public override int StrideOf(string layer)
    {
        var name = RequireLayer(layer);
        var (block, _) = ParseLayerName(name);
        return name.StartsWith("pool", StringComparison.Ordinal) ? 1 << block : 1 << (block - 1);
    }

    Vgg(VggConfig config, VggLayout layout, VggPooling pooling, string? upToLayer) : base("Vgg")
    {
        Config = config; Layout = layout; Pooling = pooling;
        if (layout == VggLayout.Normalised && config.ConvsPerBlock.Sum() != VggConfig.Vgg19.ConvCount)
            throw new AtelierException("the normalised VGG layout exists only for VGG-19");

        var all = Plan(config, layout, pooling);
        int last = all.Count - 1;
        if (upToLayer != null)
        {
            last = all.FindIndex(l => l.Name == upToLayer);
            if (last < 0)
                throw new AtelierException($"unknown VGG layer '{upToLayer}'; {layout} {config} has {string.Join(", ", all.Where(l => l.Name != null).Select(l => l.Name))}");
        }
        var names = new List<string>();
        for (int i = 0; i <= last; i++)
        {
            _layers.Add(all[i]);
            if (all[i].Name is { } n) { _position[n] = i; names.Add(n); }
        }
        for (int i = last + 1; i < all.Count; i++) all[i].Module.Dispose();
        LayerNames = names;

        if (layout == VggLayout.TorchVision)
            register_module("features", nn.Sequential(_layers.Select(l => (l.Key, l.Module))));
        else
            foreach (var l in _layers) register_module(l.Key, l.Module);
    }

    /// <summary>The full layer sequence of a layout, with the reference's index keys.</summary>
    static List<Layer> Plan(VggConfig config, VggLayout layout, VggPooling pooling)
    {
        var layers = new List<Layer>();
        void Add(string? name, nn.Module<Tensor, Tensor> m) => layers.Add(new Layer(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), name, m));
        bool normalised = layout == VggLayout.Normalised;
        if (normalised) Add(null, new SafeConv2d(3, 3, 1));
        int inChannels = 3;
        for (int b = 1; b <= 5; b++)
        {
            int outChannels = config.BlockChannels[b - 1];
            for (int i = 1; i <= config.ConvsPerBlock[b - 1]; i++)
            {
                if (normalised)
                {
                    Add(null, nn.ReflectionPad2d(1));
                    Add($"conv{b}_{i}", new SafeConv2d(inChannels, outChannels, 3));
                }
                else Add($"conv{b}_{i}", new SafeConv2d(inChannels, outChannels, 3, padding: 1));
                Add($"relu{b}_{i}", nn.ReLU());
                inChannels = outChannels;
            }
            if (normalised && b == 5) break; // the normalised VGG ends at relu5_4
            Add($"pool{b}", pooling == VggPooling.Max
                ? nn.MaxPool2d(2, 2, ceil_mode: normalised)
                : nn.AvgPool2d(2, 2, ceil_mode: normalised));
        }
        return layers;
    }

    /// <summary>torchvision layout (<c>features.N.*</c>), ImageNet normalisation inside; default weights are PyTorch's default init.</summary>
    public static Vgg TorchVision(VggConfig config, VggPooling pooling = VggPooling.Max, string? upToLayer = null) =>
        Frozen(new Vgg(config, VggLayout.TorchVision, pooling, upToLayer));

    /// <summary>The AdaIN/WCT normalised VGG-19 (<c>N.*</c>), built through <paramref name="upToLayer"/> (e.g. relu4_1 or relu5_4).</summary>
    public static Vgg Normalised(string upToLayer = "relu5_4", VggPooling pooling = VggPooling.Max, VggConfig? config = null) =>
        Frozen(new Vgg(config ?? VggConfig.Vgg19, VggLayout.Normalised, pooling, upToLayer));

    static Vgg Frozen(Vgg vgg)
    {
        foreach (var p in vgg.parameters()) p.requires_grad = false;
        vgg.eval();
        return vgg;
    }

    /// <summary>Runs every layer built and returns the last one's output.</summary>
    public override Tensor forward(Tensor input) => Run(input, null, _layers.Count - 1, false)!.Output;

    /// <summary>
    /// The outputs of the named layers for input <paramref name="x"/> (RGB in [0,1], N×3×H×W), computed in one pass
    /// that stops at the deepest layer asked for. Intermediate results not asked for are disposed as soon as used.
    /// </summary>
    public override Dictionary<string, Tensor> Features(Tensor x, IReadOnlyCollection<string> layers, bool wrapAround)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new AtelierException("no VGG layers asked for");
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        int deepest = -1;
        foreach (var l in layers)
        {
            wanted.Add(RequireLayer(l));
            deepest = Math.Max(deepest, _position[l]);
        }
        return Run(x, wanted, deepest, wrapAround).Features;
    }

    public override double ActivationsPerPixel(IReadOnlyCollection<string> layers)
    {
        int deepest = layers.Max(l => _position[RequireLayer(l)]);
        double sum = 3, previous = 3; // the normalised input
        for (int i = 0; i <= deepest; i++)
        {
            // Padding layers have no name: their output is about the size of their input.
            if (_layers[i].Name is { } n) previous = ChannelsOf(n) / (double)(StrideOf(n) * StrideOf(n));
            sum += previous;
        }
        return sum;
    }

    /// <summary>The index of a named layer in forward order (for comparing depths).</summary>
    public override int DepthOf(string layer) => _position[RequireLayer(layer)];

    sealed record RunResult(Tensor Output, Dictionary<string, Tensor> Features);

    RunResult Run(Tensor x, HashSet<string>? wanted, int last, bool wrap)
    {
        if (x.dim() != 4 || x.shape[1] != 3)
            throw new AtelierException($"VGG input must be N×3×H×W RGB, got shape [{string.Join(", ", x.shape)}]");
        var features = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Tensor h = Layout == VggLayout.TorchVision ? NormaliseImageNet(x) : x;
        for (int i = 0; i <= last; i++)
        {
            Runtime.AmbientCancellation.ThrowIfRequested(); // a stop request ends a large tile's pass between layers
            var layer = _layers[i];
            bool inPlace = InPlaceRelu && layer.Module is ReLU && !ReferenceEquals(h, x) && !features.ContainsValue(h);
            if (inPlace) { h.relu_(); if (wanted != null && layer.Name is { } n && wanted.Contains(n)) features[n] = h; continue; }
            var next = wrap ? Wrapped(layer.Module, h) ?? layer.Module.forward(h) : layer.Module.forward(h);
            // Free what nobody asked for now rather than at the end of the caller's scope (autograd keeps what it needs).
            if (!ReferenceEquals(h, x) && !features.Values.Any(v => ReferenceEquals(v, h))) h.Dispose();
            h = next;
            if (wanted != null && layer.Name is { } name && wanted.Contains(name)) features[name] = h;
        }
        return new RunResult(h, features);
    }

    /// <summary>A padding step done circularly (a padded convolution, a reflection pad); null for any other layer.</summary>
    static Tensor? Wrapped(nn.Module<Tensor, Tensor> module, Tensor h)
    {
        switch (module)
        {
            case SafeConv2d { Padding: > 0 } conv:
            {
                long p = conv.Padding;
                using var padded = nn.functional.pad(h, [p, p, p, p], PaddingModes.Circular);
                return SafeConv.Conv2d(padded, conv.Weight, conv.Bias, conv.Stride, 0, conv.Groups);
            }
            case ReflectionPad2d:
                return nn.functional.pad(h, [1, 1, 1, 1], PaddingModes.Circular); // the normalised layout pads by 1
            default:
                return null;
        }
    }

    static Tensor NormaliseImageNet(Tensor x)
    {
        using var mean = tensor(ImageNetMean, dtype: x.dtype, device: x.device).view(1, 3, 1, 1);
        using var std = tensor(ImageNetStd, dtype: x.dtype, device: x.device).view(1, 3, 1, 1);
        using var centred = x - mean;
        return centred / std;
    }

    string RequireLayer(string layer)
    {
        if (_position.ContainsKey(layer)) return layer;
        var all = Plan(Config, Layout, Pooling);
        try
        {
            if (all.Any(l => l.Name == layer))
                throw new AtelierException($"VGG layer '{layer}' is not in this network: it stops at {LastLayer}");
            throw new AtelierException($"unknown VGG layer '{layer}'; known layers: {string.Join(", ", all.Where(l => l.Name != null).Select(l => l.Name))}");
        }
        finally { foreach (var l in all) l.Module.Dispose(); }
    }

    /// <summary>True when <paramref name="layer"/> names a layer of a full VGG-19 (conv1_1 ... relu5_4, pool1 ... pool5).</summary>
    public static bool IsLayerName(string layer) => LayerNameRegex().IsMatch(layer) && ParseLayerName(layer) is var (b, i) && b is >= 1 and <= 5 && i <= 4;

    static (int Block, int Index) ParseLayerName(string name)
    {
        var m = LayerNameRegex().Match(name);
        if (!m.Success) throw new AtelierException($"unknown VGG layer '{name}'");
        int block = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        int index = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (block, index);
    }

    [GeneratedRegex(@"^(conv|relu|pool)([1-5])(?:_([1-4]))?$")]
    private static partial Regex LayerNameRegex();

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var l in _layers) l.Module.Dispose();
        base.Dispose(disposing);
    }
}
