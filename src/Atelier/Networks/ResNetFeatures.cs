using Atelier.Onnx;
using Atelier.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.Networks;

/// <summary>
/// A ResNet feature network built from an ONNX file, node by node (Conv, BatchNormalization, Relu, MaxPool, Add,
/// AveragePool, GlobalAveragePool), with each batch norm folded into the convolution before it. Taps are named as
/// torchvision names the modules: <c>conv1</c> (after the stem's ReLU), <c>layerS.B</c> (after block B of stage S)
/// and <c>avgpool</c>. The built-in network (<see cref="BuiltIn"/>) is the ImageNet ResNet-18 that ML.NET's
/// featurizer package ships (exported from CNTK; its last stage has three blocks), restored with the build.
/// Input is RGB in [0,1] of any size; the file's preprocessing (BGR, 0..255, minus the mean image) is applied
/// with the mean image reduced to its per-channel means.
/// </summary>
public sealed class ResNetFeatures : FeatureNetwork
{
    /// <summary>The ONNX operators this network can run.</summary>
    public static readonly IReadOnlyList<string> SupportedOps = ["Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "AveragePool", "GlobalAveragePool"];

    abstract record Step(string[] Inputs, string Output);
    sealed record ConvStep(string[] Inputs, string Output, Tensor Weight, Tensor? Bias, long[] Stride, long[] Pads, long Groups, bool Same) : Step(Inputs, Output);
    sealed record ScaleShiftStep(string[] Inputs, string Output, Tensor Scale, Tensor Shift) : Step(Inputs, Output);
    sealed record ReluStep(string[] Inputs, string Output) : Step(Inputs, Output);
    sealed record AddStep(string[] Inputs, string Output) : Step(Inputs, Output);
    sealed record MaxPoolStep(string[] Inputs, string Output, long[] Kernel, long[] Stride, long[] Pads, bool Same) : Step(Inputs, Output);
    sealed record AvgPoolStep(string[] Inputs, string Output, long[] Kernel, long[] Stride, long[] Pads, bool CountPad, bool Global) : Step(Inputs, Output);

    readonly List<Step> _steps = [];
    readonly string _input;
    readonly Dictionary<string, string> _tapOfValue = new(StringComparer.Ordinal);   // value name -> tap name
    readonly Dictionary<string, int> _stepOfTap = new(StringComparer.Ordinal);       // tap -> index of the step that makes it
    readonly Dictionary<string, (int Channels, int Stride)> _shapeOfTap = new(StringComparer.Ordinal);
    readonly List<string> _layerNames = [];
    readonly List<(int Channels, int Stride)> _stepShapes = []; // each step's output, for memory estimates
    readonly Tensor _mean;   // 1×3×1×1, per-channel means in the network's channel order
    readonly bool _bgr;
    readonly string _description;

    public override string Description => _description;
    public override IReadOnlyList<string> LayerNames => _layerNames;
    public override FeatureRecipe Recipe => DefaultRecipe;
    public override int MinimumInputSide => 16;

    /// <summary>Where the graph's own values are named (for parity checks against ONNX Runtime).</summary>
    public string ValueNameOf(string tap) => _tapOfValue.First(kv => kv.Value == RequireLayer(tap)).Key;

    /// <summary>The ONNX value name of the graph's input (before preprocessing).</summary>
    public string InputName => _input;

    /// <summary>
    /// Measured on candy, mosaic, udnie and la_muse (docs/style-gatys.md): Grams of the stem and the first block of
    /// every stage on raw activations, a total-variation term twice the style weight, and for textures three
    /// coarse-to-fine scales (style transfer stays at one: starting small from the content loses its detail). TV and
    /// scales together remove the checkerboard that ResNet features otherwise leave (at 128 px the artifact figure
    /// went from 3.1 to under 1 on candy, 2.1 to 0.7 on udnie) and lower the style distance. SWAG's softmax, in each
    /// reading of the paper, did worse on this network and stays an option.
    /// </summary>
    public static FeatureRecipe DefaultRecipe { get; } = new()
    {
        StyleLayers = ["conv1", "layer1.0", "layer2.0", "layer3.0", "layer4.0"],
        ContentLayers = ["layer3.1"],
        Smoothing = ActivationSmoothing.None,
        TextureStyleWeight = 1e6,
        TransferStyleWeight = 2e2,
        TvPerStyleWeight = 2.0,
        TextureScales = 3,
    };

    /// <summary>The taps on which style distances are measured (raw activations; the same for every recipe).</summary>
    public static IReadOnlyList<string> RawStyleLayers { get; } = ["conv1", "layer1.0", "layer2.0", "layer3.0", "layer4.0"];

    ResNetFeatures(OnnxModel model, float[] meanPerChannel, bool bgr, string description) : base("ResNetFeatures")
    {
        _description = description;
        _bgr = bgr;
        if (model.Inputs.Count != 1)
            throw new AtelierException($"{model.Source}: a feature network needs one image input, this graph has {model.Inputs.Count}");
        _input = model.Inputs[0].Name;
        _mean = tensor(meanPerChannel).view(1, 3, 1, 1);
        register_buffer("mean", _mean);
        Build(model);
        // The weights belong to the module, not to whatever dispose scope the caller has open (a studio job builds
        // the shared network inside its own scope).
        foreach (var (_, buffer) in named_buffers()) buffer.DetachFromDisposeScope();
    }

    void Build(OnnxModel model)
    {
        var nodes = model.Nodes.Where(n => n.OpType != "Constant").ToList();
        var consumers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in nodes) foreach (var i in n.Input) consumers[i] = consumers.GetValueOrDefault(i) + 1;
        foreach (var o in model.Outputs) consumers[o.Name] = consumers.GetValueOrDefault(o.Name) + 1;
        var shape = new Dictionary<string, (int Channels, int Stride)>(StringComparer.Ordinal) { [_input] = (3, 1) };
        // The spatial size of each value at the input size the file declares (224 for ML.NET's), to recognise pads
        // that an exporter computed as 'same' padding for that size (CNTK's [3,3,2,2] and [1,1,0,0]).
        var size = new Dictionary<string, (long H, long W)>(StringComparer.Ordinal);
        var dims = model.Inputs[0].Type?.TensorType?.Shape?.Dim;
        if (dims is { Count: 4 } && dims[2].HasDimValue && dims[3].HasDimValue && dims[2].DimValue > 0 && dims[3].DimValue > 0)
            size[_input] = (dims[2].DimValue, dims[3].DimValue);
        int convIndex = 0, stage = 0, block = 0, lastChannels = -1;
        bool stemSeen = false;
        for (int k = 0; k < nodes.Count; k++)
        {
            var n = nodes[k];
            string Where() => $"{model.Source}: node '{n.Name}' ({n.OpType})";
            (int Channels, int Stride) In(int i = 0) =>
                shape.TryGetValue(n.Input[i], out var s) ? s : throw new AtelierException($"{Where()} reads '{n.Input[i]}', which no earlier node computes");
            if (n.Output.Count < 1 || n.Input.Count < 1) throw new AtelierException($"{Where()} has no input or output");
            string output = n.Output[0];
            switch (n.OpType)
            {
                case "Conv":
                {
                    if (OnnxAttributes.String(n, "auto_pad", "NOTSET") is not ("NOTSET" or ""))
                        throw new AtelierException($"{Where()}: auto_pad is not supported; the file must give explicit pads");
                    if (OnnxAttributes.Ints(n, "dilations", [1, 1]).Any(d => d != 1))
                        throw new AtelierException($"{Where()}: dilated convolutions are not supported");
                    var w = model.Constant(n.Input[1], n);
                    if (w.Dims.Length != 4) throw new AtelierException($"{Where()}: weight '{w.Name}' has shape {string.Join("x", w.Dims)}, expected 4 dimensions");
                    long groups = OnnxAttributes.Int(n, "group", 1);
                    if (groups < 1 || w.Dims[1] * groups != In().Channels)
                        throw new AtelierException($"{Where()}: weight '{w.Name}' takes {w.Dims[1] * groups} channels, its input has {In().Channels}");
                    var stride = OnnxAttributes.Ints(n, "strides", [1, 1]);
                    var pads = OnnxAttributes.Ints(n, "pads", [0, 0, 0, 0]);
                    CheckSpatial(stride, pads, Where());
                    var weight = w.ToTorch();
                    Tensor? bias = n.Input.Count > 2 && n.Input[2].Length > 0 ? model.Constant(n.Input[2], n).ToTorch().reshape(-1) : null;
                    // Fold a batch norm that is this convolution's only consumer: one op instead of two.
                    if (k + 1 < nodes.Count && nodes[k + 1] is { OpType: "BatchNormalization" } bn && bn.Input[0] == output && consumers.GetValueOrDefault(output) == 1)
                    {
                        var (scale, shift) = BatchNormAffine(model, bn, (int)w.Dims[0]);
                        using (no_grad())
                        {
                            var folded = weight.mul(scale.view(-1, 1, 1, 1));
                            weight.Dispose(); weight = folded;
                            var b = bias is null ? shift.clone() : bias.mul(scale).add_(shift);
                            bias?.Dispose(); bias = b;
                        }
                        scale.Dispose(); shift.Dispose();
                        output = bn.Output[0];
                        k++;
                    }
                    weight.requires_grad = false;
                    if (bias is not null) bias.requires_grad = false;
                    register_buffer($"conv{convIndex}_weight", weight);
                    if (bias is not null) register_buffer($"conv{convIndex}_bias", bias);
                    convIndex++;
                    var kernel = new[] { w.Dims[2], w.Dims[3] };
                    bool same = IsSamePadding(size, n.Input[0], kernel, stride, pads, output);
                    _steps.Add(new ConvStep([n.Input[0]], output, weight, bias, stride, pads, groups, same));
                    shape[output] = ((int)w.Dims[0], In().Stride * (int)stride[0]);
                    break;
                }
                case "BatchNormalization":
                {
                    var (scale, shift) = BatchNormAffine(model, n, In().Channels);
                    register_buffer($"bn{_steps.Count}_scale", scale);
                    register_buffer($"bn{_steps.Count}_shift", shift);
                    _steps.Add(new ScaleShiftStep([n.Input[0]], output, scale, shift));
                    if (size.TryGetValue(n.Input[0], out var sz)) size[output] = sz;
                    shape[output] = In();
                    break;
                }
                case "Relu":
                {
                    _steps.Add(new ReluStep([n.Input[0]], output));
                    if (size.TryGetValue(n.Input[0], out var sz)) size[output] = sz;
                    shape[output] = In();
                    string? tap = null;
                    var producer = _steps.LastOrDefault(s => s.Output == n.Input[0]);
                    if (!stemSeen) { tap = "conv1"; stemSeen = true; }
                    else if (producer is AddStep)
                    {
                        int c = In().Channels;
                        if (c != lastChannels) { stage++; block = 0; lastChannels = c; }
                        tap = $"layer{stage}.{block++}";
                    }
                    if (tap is not null) AddTap(tap, output, shape[output]);
                    break;
                }
                case "Add":
                {
                    if (n.Input.Count != 2) throw new AtelierException($"{Where()}: expected two inputs");
                    if (In(0).Channels != In(1).Channels)
                        throw new AtelierException($"{Where()}: adds {In(0).Channels} channels to {In(1).Channels}");
                    _steps.Add(new AddStep([n.Input[0], n.Input[1]], output));
                    if (size.TryGetValue(n.Input[0], out var sz)) size[output] = sz;
                    shape[output] = In(0);
                    break;
                }
                case "MaxPool":
                {
                    if (OnnxAttributes.Int(n, "ceil_mode", 0) != 0) throw new AtelierException($"{Where()}: ceil_mode is not supported");
                    var kernel = OnnxAttributes.Ints(n, "kernel_shape", []);
                    var stride = OnnxAttributes.Ints(n, "strides", [1, 1]);
                    var pads = OnnxAttributes.Ints(n, "pads", [0, 0, 0, 0]);
                    if (kernel.Length != 2) throw new AtelierException($"{Where()}: needs a 2-D kernel_shape");
                    CheckSpatial(stride, pads, Where());
                    bool same = IsSamePadding(size, n.Input[0], kernel, stride, pads, output);
                    _steps.Add(new MaxPoolStep([n.Input[0]], output, kernel, stride, pads, same));
                    shape[output] = (In().Channels, In().Stride * (int)stride[0]);
                    AddTap("maxpool", output, shape[output]);
                    break;
                }
                case "AveragePool":
                case "GlobalAveragePool":
                {
                    bool global = n.OpType == "GlobalAveragePool";
                    var kernel = global ? [] : OnnxAttributes.Ints(n, "kernel_shape", []);
                    var stride = OnnxAttributes.Ints(n, "strides", [1, 1]);
                    var pads = OnnxAttributes.Ints(n, "pads", [0, 0, 0, 0]);
                    if (!global && kernel.Length != 2) throw new AtelierException($"{Where()}: needs a 2-D kernel_shape");
                    CheckSpatial(stride, pads, Where());
                    _steps.Add(new AvgPoolStep([n.Input[0]], output, kernel, stride, pads, OnnxAttributes.Int(n, "count_include_pad", 0) != 0, global));
                    shape[output] = In();
                    AddTap("avgpool", output, shape[output]);
                    break;
                }
                default:
                    throw new AtelierException($"{Where()}: unsupported operator; a ResNet feature network runs {string.Join(", ", SupportedOps)}");
            }
            while (_stepShapes.Count < _steps.Count) _stepShapes.Add(shape[_steps[_stepShapes.Count].Output]);
        }
        if (!_layerNames.Contains("conv1") || !_layerNames.Any(l => l.StartsWith("layer", StringComparison.Ordinal)))
            throw new AtelierException($"{model.Source}: not a ResNet graph (no stem ReLU or residual blocks found)");
    }

    /// <summary>
    /// True when <paramref name="pads"/> are 'same' padding (output = ceil(input / stride), the extra row and column
    /// at the start, as CNTK pads) at the file's declared size: such pads are recomputed for each input size, so
    /// odd sizes keep the residual branches aligned. Records the output size either way.
    /// </summary>
    static bool IsSamePadding(Dictionary<string, (long H, long W)> size, string input, long[] kernel, long[] stride, long[] pads, string output)
    {
        if (!size.TryGetValue(input, out var s)) return false;
        var same = SamePads(s.H, s.W, kernel, stride);
        size[output] = ((s.H + pads[0] + pads[2] - kernel[0]) / stride[0] + 1, (s.W + pads[1] + pads[3] - kernel[1]) / stride[1] + 1);
        return same.SequenceEqual(pads);
    }

    /// <summary>'Same' pads (top, left, bottom, right) for an input of h×w, the odd one at the start.</summary>
    static long[] SamePads(long h, long w, long[] kernel, long[] stride)
    {
        long Total(long n, long k, long s) => Math.Max(((n + s - 1) / s - 1) * s + k - n, 0);
        long th = Total(h, kernel[0], stride[0]), tw = Total(w, kernel[1], stride[1]);
        return [th - th / 2, tw - tw / 2, th / 2, tw / 2];
    }

    static void CheckSpatial(long[] stride, long[] pads, string where)
    {
        if (stride.Length != 2 || stride.Any(s => s < 1 || s > 64)) throw new AtelierException($"{where}: strides [{string.Join(",", stride)}] are not 2-D positive");
        if (pads.Length != 4 || pads.Any(p => p < 0 || p > 64)) throw new AtelierException($"{where}: pads [{string.Join(",", pads)}] are not 4 values in 0..64");
    }

    void AddTap(string tap, string value, (int Channels, int Stride) shape)
    {
        if (_stepOfTap.ContainsKey(tap)) return;
        _tapOfValue[value] = tap;
        _stepOfTap[tap] = _steps.Count - 1;
        _shapeOfTap[tap] = shape;
        _layerNames.Add(tap);
    }

    /// <summary>y = scale·x + shift per channel, from a BatchNormalization node's scale, bias, mean, variance and epsilon.</summary>
    static (Tensor Scale, Tensor Shift) BatchNormAffine(OnnxModel model, NodeProto bn, int channels)
    {
        if (bn.Input.Count != 5) throw new AtelierException($"{model.Source}: node '{bn.Name}' (BatchNormalization) needs 5 inputs");
        var p = new float[4][];
        for (int i = 0; i < 4; i++)
        {
            var t = model.Constant(bn.Input[i + 1], bn);
            if (t.ElementCount != channels)
                throw new AtelierException($"{model.Source}: node '{bn.Name}' (BatchNormalization): '{t.Name}' has {t.ElementCount} values for {channels} channels");
            p[i] = t.Floats;
        }
        double eps = OnnxAttributes.Float(bn, "epsilon", 1e-5f);
        var scale = new float[channels];
        var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double s = p[0][c] / Math.Sqrt(p[3][c] + eps);
            scale[c] = (float)s;
            shift[c] = (float)(p[1][c] - p[2][c] * s);
        }
        return (tensor(scale), tensor(shift));
    }

    /// <summary>The built-in network's ONNX file, copied beside the program by the build.</summary>
    public static string BuiltInPath => Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "ResNet18.onnx");

    /// <summary>The built-in network's preprocessing graph (BGR order and the ImageNet mean image).</summary>
    public static string BuiltInPreprocessPath => Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "ResNetPreprocess.onnx");

    /// <summary>
    /// The built-in ImageNet ResNet-18 (ML.NET's DnnImageFeaturizer.ResNet18 0.24.0, MIT licence), loaded once per
    /// call; the files come with the build.
    /// </summary>
    public static ResNetFeatures BuiltIn()
    {
        foreach (var p in new[] { BuiltInPath, BuiltInPreprocessPath })
            if (!File.Exists(p))
                throw new AtelierException($"{p}: the built-in ResNet-18 is missing; it is copied there by the build from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0 (rebuild to restore it)");
        return Load(BuiltInPath, BuiltInPreprocessPath, "resnet18");
    }

    /// <summary>
    /// Loads a ResNet from an ONNX file. <paramref name="preprocessPath"/> is a preprocessing graph in ML.NET's form
    /// (Split, Concat reordering RGB to BGR, Sub of a mean image); without one the network takes RGB in 0..255 with
    /// ImageNet's mean removed.
    /// </summary>
    public static ResNetFeatures Load(string path, string? preprocessPath = null, string? description = null)
    {
        var model = OnnxModel.Load(path);
        var (mean, bgr) = preprocessPath is null ? ([123.675f, 116.28f, 103.53f], false) : ReadPreprocessing(preprocessPath);
        var net = new ResNetFeatures(model, mean, bgr, description ?? path);
        net.eval();
        return net;
    }

    /// <summary>Reads ML.NET's preprocessing graph: the channel order and the per-channel means of its mean image.</summary>
    static (float[] Mean, bool Bgr) ReadPreprocessing(string path)
    {
        var model = OnnxModel.Load(path);
        var ops = model.Nodes.Select(n => n.OpType).ToList();
        var sub = model.Nodes.FirstOrDefault(n => n.OpType == "Sub");
        if (sub is null || ops.Any(o => o is not ("Split" or "Concat" or "Sub")))
            throw new AtelierException($"{path}: not a preprocessing graph of the expected form (Split, Concat, Sub); it has {string.Join(", ", ops)}");
        var meanImage = sub.Input.Select(i => model.Initializers.GetValueOrDefault(i)).FirstOrDefault(t => t is not null)
            ?? throw new AtelierException($"{path}: the Sub node subtracts no constant mean image");
        if (meanImage.Dims.Length != 4 || meanImage.Dims[1] != 3)
            throw new AtelierException($"{path}: mean image has shape {string.Join("x", meanImage.Dims)}, expected 1x3xHxW");
        var values = meanImage.Floats;
        long plane = meanImage.Dims[2] * meanImage.Dims[3];
        var mean = new float[3];
        for (int c = 0; c < 3; c++)
        {
            double s = 0;
            for (long i = 0; i < plane; i++) s += values[c * plane + i];
            mean[c] = (float)(s / plane);
        }
        // BGR when the Concat takes the Split's outputs in reverse order.
        var split = model.Nodes.FirstOrDefault(n => n.OpType == "Split");
        var concat = model.Nodes.FirstOrDefault(n => n.OpType == "Concat");
        bool bgr = split is not null && concat is not null && split.Output.Count == 3 && concat.Input.Count == 3
                   && concat.Input[0] == split.Output[2] && concat.Input[2] == split.Output[0];
        return (mean, bgr);
    }

    /// <summary>RGB in [0,1] to the network's input: channel order, 0..255, minus the per-channel means.</summary>
    public Tensor Preprocess(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != 3)
            throw new AtelierException($"ResNet input must be N×3×H×W RGB, got shape [{string.Join(", ", x.shape)}]");
        using var scaled = x.mul(255.0);
        using var ordered = _bgr ? scaled.flip(1) : null;
        using var mean = _mean.to(x.dtype);
        return (ordered ?? scaled).sub(mean);
    }

    public override Tensor forward(Tensor input)
    {
        using var pre = Preprocess(input);
        return RunPreprocessed(pre, null, _steps.Count - 1, false).Output;
    }

    /// <summary>Runs the graph on an already preprocessed input and returns the named ONNX values (parity checks).</summary>
    public Dictionary<string, Tensor> RunGraph(Tensor preprocessed, IReadOnlyCollection<string> taps) =>
        RunPreprocessed(preprocessed, new HashSet<string>(taps.Select(RequireLayer), StringComparer.Ordinal), _steps.Count - 1, false).Features;

    public override Dictionary<string, Tensor> Features(Tensor x, IReadOnlyCollection<string> layers, bool wrapAround)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new AtelierException("no ResNet layers asked for");
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        int last = -1;
        foreach (var l in layers) { wanted.Add(RequireLayer(l)); last = Math.Max(last, _stepOfTap[l]); }
        CheckInputSize(x.shape[3], x.shape[2], "the image");
        using var pre = Preprocess(x);
        return RunPreprocessed(pre, wanted, last, wrapAround).Features;
    }

    public override double ActivationsPerPixel(IReadOnlyCollection<string> layers)
    {
        int last = layers.Max(l => _stepOfTap[RequireLayer(l)]);
        return _stepShapes.Take(last + 1).Sum(s => s.Channels / (double)(s.Stride * s.Stride));
    }

    sealed record RunResult(Tensor Output, Dictionary<string, Tensor> Features);

    RunResult RunPreprocessed(Tensor x, HashSet<string>? wanted, int last, bool wrap)
    {
        // How many steps up to `last` still read each value: a value is freed when its last reader has run (autograd
        // keeps what it needs), unless it was asked for.
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i <= last; i++) foreach (var v in _steps[i].Inputs) readers[v] = readers.GetValueOrDefault(v) + 1;
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [_input] = x };
        var features = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Tensor? output = null;
        for (int i = 0; i <= last; i++)
        {
            var step = _steps[i];
            var a = values[step.Inputs[0]];
            bool aDies = readers[step.Inputs[0]] == 1 && !ReferenceEquals(a, x) && !IsKept(step.Inputs[0], wanted);
            Tensor result = step switch
            {
                ConvStep c => Conv(a, c, wrap),
                ScaleShiftStep s => a.mul(s.Scale.view(1, -1, 1, 1)).add_(s.Shift.view(1, -1, 1, 1)),
                // In place when nothing else reads the input: saves an allocation and a pass over memory.
                ReluStep => aDies ? a.relu_() : a.relu(),
                AddStep => a.add(values[step.Inputs[1]]),
                MaxPoolStep m => MaxPool(a, m, wrap),
                AvgPoolStep p => AvgPool(a, p),
                _ => throw new InvalidOperationException(step.GetType().Name),
            };
            foreach (var v in step.Inputs.Distinct())
            {
                if (--readers[v] > 0 || IsKept(v, wanted)) continue;
                var t = values[v];
                values.Remove(v);
                if (!ReferenceEquals(t, x) && !ReferenceEquals(t, result)) t.Dispose();
            }
            values[step.Output] = result;
            if (_tapOfValue.TryGetValue(step.Output, out var tap) && wanted is not null && wanted.Contains(tap)) features[tap] = result;
            output = result;
        }
        // Values still held that nobody asked for (outputs of the last step when taps were asked).
        foreach (var (name, t) in values)
            if (!ReferenceEquals(t, x) && !features.Values.Any(f => ReferenceEquals(f, t)) && !(wanted is null && ReferenceEquals(t, output))) t.Dispose();
        return new RunResult(output!, features);
    }

    bool IsKept(string value, HashSet<string>? wanted) =>
        wanted is not null && _tapOfValue.TryGetValue(value, out var tap) && wanted.Contains(tap);

    static Tensor Conv(Tensor x, ConvStep c, bool wrap)
    {
        var p = c.Same ? SamePads(x.shape[2], x.shape[3], [c.Weight.shape[2], c.Weight.shape[3]], c.Stride) : c.Pads; // top, left, bottom, right
        if (wrap && p.Any(v => v > 0))
        {
            using var wrapped = F.pad(x, [p[1], p[3], p[0], p[2]], PaddingModes.Circular);
            return SafeConv.Conv2d(wrapped, c.Weight, c.Bias, (c.Stride[0], c.Stride[1]), (0, 0), c.Groups);
        }
        if (p[0] == p[2] && p[1] == p[3])
            return SafeConv.Conv2d(x, c.Weight, c.Bias, (c.Stride[0], c.Stride[1]), (p[0], p[1]), c.Groups);
        using var padded = F.pad(x, [p[1], p[3], p[0], p[2]]);
        return SafeConv.Conv2d(padded, c.Weight, c.Bias, (c.Stride[0], c.Stride[1]), (0, 0), c.Groups);
    }

    static Tensor MaxPool(Tensor x, MaxPoolStep m, bool wrap)
    {
        var p = m.Same ? SamePads(x.shape[2], x.shape[3], m.Kernel, m.Stride) : m.Pads;
        if (wrap && p.Any(v => v > 0))
        {
            using var wrapped = F.pad(x, [p[1], p[3], p[0], p[2]], PaddingModes.Circular);
            return F.max_pool2d(wrapped, m.Kernel, m.Stride);
        }
        if (p[0] == p[2] && p[1] == p[3] && p[0] * 2 <= m.Kernel[0] && p[1] * 2 <= m.Kernel[1])
            return F.max_pool2d(x, m.Kernel, m.Stride, [p[0], p[1]]);
        // Asymmetric padding: pad with -inf so padded cells never win, as ONNX specifies.
        using var padded = F.pad(x, [p[1], p[3], p[0], p[2]], PaddingModes.Constant, double.NegativeInfinity);
        return F.max_pool2d(padded, m.Kernel, m.Stride);
    }

    static Tensor AvgPool(Tensor x, AvgPoolStep p)
    {
        if (p.Global) return x.mean([2, 3], keepdim: true);
        var pads = p.Pads;
        if (pads[0] != pads[2] || pads[1] != pads[3])
            throw new AtelierException("asymmetric average-pool padding is not supported");
        // A window larger than the map (the final pool at inputs other than 224 px) averages what there is.
        if (x.shape[2] < p.Kernel[0] || x.shape[3] < p.Kernel[1]) return x.mean([2, 3], keepdim: true);
        return F.avg_pool2d(x, p.Kernel, p.Stride, [pads[0], pads[1]], count_include_pad: p.CountPad);
    }

    string RequireLayer(string layer) =>
        _stepOfTap.ContainsKey(layer) ? layer
            : throw new AtelierException($"unknown ResNet layer '{layer}'; this network has {string.Join(", ", _layerNames)}");

    public override int ChannelsOf(string layer) => _shapeOfTap[RequireLayer(layer)].Channels;
    public override int StrideOf(string layer) => _shapeOfTap[RequireLayer(layer)].Stride;
    public override int DepthOf(string layer) => _stepOfTap[RequireLayer(layer)];

    public override bool IsLayerNameOfFamily(string layer) => IsLayerName(layer);

    /// <summary>True when <paramref name="layer"/> is spelled like a ResNet tap (conv1, maxpool, layer2.1, avgpool).</summary>
    public static bool IsLayerName(string layer) =>
        layer is "conv1" or "maxpool" or "avgpool" || System.Text.RegularExpressions.Regex.IsMatch(layer, @"^layer[1-4]\.[0-9]$");

    public override string LayerNameExamples => string.Join(", ", _layerNames);
}
