using System.Globalization;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using Atelier.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>Options of <see cref="FastStyleTrainer"/>; defaults are pytorch/examples fast_neural_style's.</summary>
public sealed record FastStyleTrainOptions
{
    public required string StyleImage { get; init; }
    public required string ContentDir { get; init; }
    /// <summary>Where the trained network goes (.safetensors; TransformerNet keys, loadable by `fast-style stylize`).</summary>
    public required string Output { get; init; }
    public int ImageSize { get; init; } = 256;
    /// <summary>Style image's shorter side (null: its own size).</summary>
    public int? StyleSize { get; init; }
    public int BatchSize { get; init; } = 4;
    public int Epochs { get; init; } = 2;
    /// <summary>Training steps in total (null: as many as <see cref="Epochs"/> passes over the folder take).</summary>
    public long? Steps { get; init; }
    /// <summary>Content weight; null: the reference's 1e5 on a VGG-16, the feature network's recipe otherwise (1).</summary>
    public double? ContentWeight { get; init; }
    /// <summary>Style weight; null: the reference's 1e10 on a VGG-16, the recipe's style-transfer weight otherwise.</summary>
    public double? StyleWeight { get; init; }
    /// <summary>Content layers of the loss network; null: relu2_2 on a VGG-16 (the reference's), the recipe's otherwise.</summary>
    public IReadOnlyList<string>? ContentLayers { get; init; }
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Sample grid and loss plot every this many steps (and at the end).</summary>
    public int SampleEvery { get; init; } = 200;
    /// <summary>Resumable run checkpoint every this many steps (and at the end, and when stopped).</summary>
    public int CheckpointEvery { get; init; } = 500;
    /// <summary>The run folder (<see cref="TrainingLoop"/>'s layout; default: beside the output, OUTPUT.run/).</summary>
    public string? RunDir { get; init; }
    /// <summary>Continue the run in <see cref="RunDir"/> from its checkpoint.</summary>
    public bool Resume { get; init; }
    /// <summary>
    /// A trained network (any file <see cref="FastStyle.LoadModel"/> reads) whose weights a new run starts from instead
    /// of random ones: fine-tuning, e.g. at a larger size or on other pictures. A resumed run continues from its checkpoint.
    /// </summary>
    public string? InitialWeights { get; init; }
    /// <summary>Held-out content pictures scored every <see cref="EvalEvery"/> steps (<see cref="TrainingLoopOptions.EvalDir"/>).</summary>
    public string? EvalDir { get; init; }
    public int? EvalEvery { get; init; }
    public int EvalImages { get; init; } = 8;
    public long Seed { get; init; } = 42;
}

/// <summary>
/// Trains a <see cref="TransformerNet"/> for one style (Johnson et al. 2016) with a fixed loss network, one step per
/// batch, in <see cref="TrainingLoop"/> (its run folder, resume, samples and loss plot).
/// On a VGG-16 (the reference's): content loss MSE on relu2_2 × content weight, style loss Σ MSE of Gram matrices
/// F Fᵀ/(c h w) on relu1_2, relu2_2, relu3_3, relu4_3 × style weight; Adam. On any other feature network (the
/// built-in ResNet-18 by default) the loss is Gatys's, which Johnson et al. amortise, with that network's recipe:
/// its style and content layers, Gram style loss, content loss and total variation at the weights Gatys style
/// transfer uses on it. Inputs are on the 0..255 scale as in the reference; the loss network sees them /255.
/// </summary>
public sealed class FastStyleTrainer : ITrainable, IHeldOutScoring
{
    public static readonly string[] StyleLayers = ["relu1_2", "relu2_2", "relu3_3", "relu4_3"];
    public const string ContentLayer = "relu2_2";

    readonly FastStyleTrainOptions _o;
    readonly FeatureNetwork _lossNetwork;
    readonly TrainingLosses _losses;
    readonly Device _device;
    readonly Action<string>? _warn;
    readonly List<string> _files;
    readonly int _stepsPerEpoch;
    readonly TransformerNet _net;
    readonly AdamOptimizer _adam;
    readonly Dictionary<string, Tensor> _gramStyle = [];
    readonly List<Image> _samples;
    readonly Image _styleImage;
    long _skipped;

    public string Kind => "fast-style";

    /// <summary>The run's length: <see cref="FastStyleTrainOptions.Steps"/>, or the epochs' worth of batches.</summary>
    public long TotalSteps { get; }

    /// <summary>True when <paramref name="network"/> gets the reference's VGG-16 losses rather than the recipe's.</summary>
    public static bool UsesReferenceLosses(FeatureNetwork network) => network is Vgg;

    /// <summary>
    /// A new run with <paramref name="lossNetwork"/>: a VGG-16 reaching relu4_3 (torchvision vgg16 weights, or a built-in
    /// one) for the reference's losses, or another feature network (the built-in ResNet-18) for its recipe's.
    /// </summary>
    public FastStyleTrainer(FastStyleTrainOptions o, FeatureNetwork lossNetwork, Device? device = null, Action<string>? warn = null)
    {
        _o = o;
        _lossNetwork = lossNetwork;
        _device = device ?? CPU;
        _warn = StyleTrainingSupport.Once(warn);
        Validate(o, lossNetwork);
        _losses = new TrainingLosses(o, lossNetwork);
        _files = StyleTrainingSupport.ImagesIn(o.ContentDir, "content images");
        _stepsPerEpoch = (_files.Count + o.BatchSize - 1) / o.BatchSize;
        TotalSteps = o.Steps ?? (long)_stepsPerEpoch * o.Epochs;

        // The style's Gram matrices, computed once.
        _styleImage = ImageIO.Load(o.StyleImage);
        if (o.StyleSize is int ss) _styleImage = ImageResize.ResizeShorterSide(_styleImage, ss);
        lossNetwork.CheckInputSize(_styleImage.Width, _styleImage.Height, $"the style image {o.StyleImage}");
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var feats = lossNetwork.Features(ImageTensors.ToTensor(_styleImage, ValueRange.ZeroOne, _device), _losses.StyleLayers);
            foreach (var l in _losses.StyleLayers) _gramStyle[l] = _losses.StyleGram(feats[l]).DetachFromDisposeScope();
        }
        // Fixed samples for the grid: the first usable images of the folder.
        _samples = _files.Select(f => StyleTrainingSupport.LoadCrop(f, o.ImageSize, o.ImageSize, null, null)).OfType<Image>().Take(3).ToList();

        manual_seed(o.Seed); // the initial weights follow the run's seed
        _net = new TransformerNet();
        if (o.InitialWeights is { } init)
        {
            // As FastStyle.LoadModel reads a network (a run checkpoint's net.* too), into this one.
            var sd = Checkpoints.Checkpoint.LoadNetworkStateDict(init, Checkpoints.ArchitectureKind.FastStyleRun);
            try { _net.LoadWeights(sd, init); }
            finally { foreach (var t in sd.Values) t.Dispose(); }
        }
        _net.to(_device).train();
        _adam = new AdamOptimizer(_net.named_parameters(), o.LearningRate, 0.9, 0.999);
    }

    /// <summary>
    /// Trains a new network (or resumes its run) and writes it to <see cref="FastStyleTrainOptions.Output"/> when the
    /// run reaches its last step; a stopped run keeps its checkpoint and writes no output.
    /// </summary>
    public static TrainingResult Train(FastStyleTrainOptions o, FeatureNetwork lossNetwork, Device? device = null, IProgress<ProgressReport>? progress = null,
        Action<string>? warn = null, CancellationToken ct = default)
    {
        using var trainer = new FastStyleTrainer(o, lossNetwork, device, warn);
        var loop = new TrainingLoopOptions(o.RunDir ?? o.Output + ".run", trainer.TotalSteps, 0, o.SampleEvery, o.CheckpointEvery)
            { EvalDir = o.EvalDir, EvalEvery = o.EvalEvery, EvalImages = o.EvalImages };
        var result = TrainingLoop.Run(trainer, loop, o.Resume, progress, ct, warn);
        if (!result.Interrupted) trainer.Export(o.Output);
        return result;
    }

    public IReadOnlyDictionary<string, double> TrainStep(long step)
    {
        // Each epoch visits the images in a fresh order, derived from the seed and the epoch, so a resumed run continues it.
        long epoch = step / _stepsPerEpoch;
        var order = _files.ToList();
        new TrainingRandom(_o.Seed + epoch).Shuffle(order);
        int start = (int)(step % _stepsPerEpoch) * _o.BatchSize;
        var images = order.Skip(start).Take(_o.BatchSize)
            .Select(f => StyleTrainingSupport.LoadCrop(f, _o.ImageSize, _o.ImageSize, null, _warn)).OfType<Image>().ToList();
        var losses = new Dictionary<string, double>();
        if (images.Count == 0) return losses;

        using var scope = NewDisposeScope();
        var x = ImageTensors.ToTensor(images, ValueRange.ZeroOne, _device) * 255.0;
        _adam.ZeroGrad();
        var y = _net.forward(x);
        var (contentLoss, styleLoss, tvLoss) = _losses.Evaluate(x, y, _gramStyle);
        var loss = contentLoss + styleLoss;
        if (tvLoss is not null) loss = loss + tvLoss;
        loss.backward();
        double c = contentLoss.item<float>(), s = styleLoss.item<float>(), tv = tvLoss?.item<float>() ?? 0;
        string? badGradient = null;
        if (!FiniteUpdate.Step(_adam, _net, loss, name => badGradient = name))
        {
            // Not a number worth plotting (and the loop stops on non-finite losses); the weights are left as they were.
            _skipped++;
            string what = double.IsFinite(c + s + tv) ? $"the gradient of {badGradient ?? "a parameter"}" : $"the loss (content {c}, style {s}, tv {tv})";
            _warn?.Invoke($"step {step + 1}: {what} was not finite; the update was skipped ({_skipped} so far)");
        }
        else
        {
            losses["content"] = c;
            losses["style"] = s;
            if (tvLoss is not null) losses["tv"] = tv;
            losses["total"] = c + s + tv;
        }
        if (_skipped > 0) losses["skipped_updates"] = _skipped;
        return losses;
    }

    public void SetLearningRateFactor(double factor) => _adam.LearningRate = _o.LearningRate * factor;

    /// <summary>The network under net.* (so `fast-style stylize` can load a run checkpoint), Adam's moments, the loss network's name.</summary>
    public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata)
    {
        Checkpointing.AddModule(_net, "net", tensors);
        _adam.SaveState("adam", tensors, metadata);
        metadata["features"] = _lossNetwork.Description;
        metadata["skipped_updates"] = _skipped.ToString(CultureInfo.InvariantCulture);
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue("features", out var features) && features != _lossNetwork.Description)
            throw new AtelierException($"the run was trained with the loss network {features}, not {_lossNetwork.Description}");
        Checkpointing.LoadModule(_net, "net", tensors);
        _adam.LoadState("adam", tensors, metadata);
        _skipped = metadata.TryGetValue("skipped_updates", out var skipped) ? long.Parse(skipped, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Held-out content pictures, centre crops at the training size (as the samples): scored by style distance to the style and content distance to themselves.</summary>
    public HeldOutData LoadHeldOut(string folder, int maxImages, Action<string>? warn)
    {
        var inputs = StyleTrainingSupport.ImagesIn(folder, "held-out pictures")
            .Select(f => StyleTrainingSupport.LoadCrop(f, _o.ImageSize, _o.ImageSize, null, warn)).OfType<Image>().Take(maxImages).ToList();
        if (inputs.Count == 0) throw new AtelierException($"{folder}: no usable held-out pictures");
        return new HeldOutData(HeldOutFigures.Style, inputs, [], _styleImage);
    }

    /// <summary>The network's eval-mode outputs (instance norm keeps no statistics: only the mode flag changes).</summary>
    public IReadOnlyList<Image> Produce(HeldOutData data)
    {
        _net.eval();
        try { return FastStyle.Stylize(_net, data.Inputs, _device); }
        finally { _net.train(); }
    }

    /// <summary>One row per sample image: content, style, the network's output.</summary>
    public (IReadOnlyList<(Image Image, string? Caption)> Cells, int Columns) Samples()
    {
        if (_samples.Count == 0) return ([], 3);
        _net.eval();
        var outputs = FastStyle.Stylize(_net, _samples, _device);
        _net.train();
        var styleThumb = ImageResize.Resize(_styleImage, _samples[0].Width, _samples[0].Height);
        var cells = _samples.SelectMany((s, i) => new (Image, string?)[] { (s, "content"), (styleThumb, "style"), (outputs[i], "output") }).ToList();
        return (cells, 3);
    }

    /// <summary>Writes the network with its architecture and loss network in the metadata (loadable by `fast-style stylize`).</summary>
    public void Export(string path) =>
        Checkpoints.SafeTensors.Save(path, _net.state_dict(), new Dictionary<string, string> { ["architecture"] = "fast_neural_style.TransformerNet", ["features"] = _lossNetwork.Description });

    public void Dispose()
    {
        _adam.Dispose();
        _net.Dispose();
        foreach (var g in _gramStyle.Values) g.Dispose();
    }

    /// <summary>F Fᵀ / (c h w) per image, as the reference's gram_matrix.</summary>
    public static Tensor Gram(Tensor features)
    {
        long c = features.shape[1], hw = features.shape[2] * features.shape[3];
        var f = features.reshape(features.shape[0], c, hw);
        return f.bmm(f.transpose(1, 2)) / (c * hw);
    }

    /// <summary>The training objective for one loss network: the reference's on a VGG-16, the recipe's otherwise.</summary>
    sealed class TrainingLosses(FastStyleTrainOptions o, FeatureNetwork network)
    {
        readonly bool _reference = UsesReferenceLosses(network);
        readonly double _contentWeight = o.ContentWeight ?? (UsesReferenceLosses(network) ? 1e5 : 1.0);
        readonly double _styleWeight = o.StyleWeight ?? (UsesReferenceLosses(network) ? 1e10 : network.Recipe.TransferStyleWeight);
        readonly ActivationSmoothing _smoothing = network.Recipe.Smoothing;

        public IReadOnlyList<string> StyleLayers { get; } = UsesReferenceLosses(network) ? FastStyleTrainer.StyleLayers : network.Recipe.StyleLayers;
        public IReadOnlyList<string> ContentLayers { get; } = o.ContentLayers ?? (UsesReferenceLosses(network) ? [ContentLayer] : network.Recipe.ContentLayers);

        /// <summary>The style target of one layer: the reference's F Fᵀ/(c h w), or Gatys's normalised Gram.</summary>
        public Tensor StyleGram(Tensor f) => _reference ? Gram(f) : GramMatrix.Normalised(GatysLosses.Smooth(f, _smoothing));

        /// <summary>Content, style and (recipe only) total-variation losses, weighted, for inputs and outputs on 0..255.</summary>
        public (Tensor Content, Tensor Style, Tensor? Tv) Evaluate(Tensor x, Tensor y, Dictionary<string, Tensor> gramStyle)
        {
            var y01 = y / 255.0;
            var fy = network.Features(y01, [.. StyleLayers.Concat(ContentLayers).Distinct()]);
            Dictionary<string, Tensor> fx;
            using (no_grad()) fx = network.Features(x / 255.0, ContentLayers);
            long n = y.shape[0];
            Tensor content = zeros(1, device: y.device), style = zeros(1, device: y.device);
            foreach (var l in ContentLayers)
                content = content + (_reference ? nn.functional.mse_loss(fy[l], fx[l]) : GatysLosses.Content(GatysLosses.Smooth(fy[l], _smoothing), GatysLosses.Smooth(fx[l], _smoothing)));
            foreach (var l in StyleLayers)
            {
                var target = gramStyle[l].expand(n, -1, -1);
                style = style + (_reference
                    ? nn.functional.mse_loss(Gram(fy[l]), target)
                    // Gatys's E_l sums over the batch: the mean per image keeps the weights of a single image.
                    : GatysLosses.StyleLayer(StyleGram(fy[l]), target) / n / StyleLayers.Count);
            }
            Tensor? tv = _reference || network.Recipe.TvPerStyleWeight == 0 ? null
                : GatysLosses.TotalVariation(y01) * (_styleWeight * network.Recipe.TvPerStyleWeight);
            return (content * _contentWeight, style * _styleWeight, tv);
        }
    }

    static void Validate(FastStyleTrainOptions o, FeatureNetwork lossNetwork)
    {
        if (o.ImageSize < 16) throw new AtelierUsageException($"{{ImageSize}} {o.ImageSize}: must be at least 16");
        if (o.BatchSize < 1) throw new AtelierUsageException($"{{BatchSize}} {o.BatchSize}: must be 1 or more");
        if (o.Epochs < 1) throw new AtelierUsageException($"{{Epochs}} {o.Epochs}: must be 1 or more");
        if (o.Steps is < 1) throw new AtelierUsageException($"{{Steps}} {o.Steps}: must be 1 or more");
        if (o.CheckpointEvery < 1) throw new AtelierUsageException($"{{CheckpointEvery}} {o.CheckpointEvery}: must be 1 or more");
        if (o.SampleEvery < 1) throw new AtelierUsageException($"{{SampleEvery}} {o.SampleEvery}: must be 1 or more");
        if (!(o.LearningRate > 0) || !double.IsFinite(o.LearningRate)) throw new AtelierUsageException($"{{LearningRate}} {o.LearningRate}: must be a positive number");
        if (o.ContentWeight is < 0 or double.NaN) throw new AtelierUsageException($"{{ContentWeight}} {o.ContentWeight}: must be non-negative");
        if (o.StyleWeight is < 0 or double.NaN) throw new AtelierUsageException($"{{StyleWeight}} {o.StyleWeight}: must be non-negative");
        if (o.ContentLayers is { } layers)
        {
            if (layers.Count == 0) throw new AtelierUsageException("{ContentLayers}: name at least one layer");
            foreach (var l in layers)
                if (!lossNetwork.LayerNames.Contains(l))
                    throw new AtelierUsageException($"{{ContentLayers}} {l}: {lossNetwork.Description} has no such layer (it has {string.Join(", ", lossNetwork.LayerNames)})");
        }
        if (UsesReferenceLosses(lossNetwork))
            foreach (var l in StyleLayers)
                if (!lossNetwork.LayerNames.Contains(l))
                    throw new AtelierException($"the loss network has no {l}: fast-style training on a VGG needs a VGG-16 (torchvision vgg16 weights)");
        if (!File.Exists(o.StyleImage)) throw new AtelierException($"{o.StyleImage}: no such file (style image)");
        if (o.InitialWeights is { } init && !File.Exists(init)) throw new AtelierException($"{init}: no such file (the network to start from)");
    }
}
