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
    /// <summary>Where the trained network goes (.safetensors; TransformerNet keys, loadable by `style fast`).</summary>
    public required string Output { get; init; }
    public int ImageSize { get; init; } = 256;
    /// <summary>Style image's shorter side (null: its own size).</summary>
    public int? StyleSize { get; init; }
    public int BatchSize { get; init; } = 4;
    public int Epochs { get; init; } = 2;
    /// <summary>Stop after this many steps in total (null: run the epochs).</summary>
    public long? MaxSteps { get; init; }
    /// <summary>Content weight; null: the reference's 1e5 on a VGG-16, the feature network's recipe otherwise (1).</summary>
    public double? ContentWeight { get; init; }
    /// <summary>Style weight; null: the reference's 1e10 on a VGG-16, the recipe's style-transfer weight otherwise.</summary>
    public double? StyleWeight { get; init; }
    /// <summary>Content layers of the loss network; null: relu2_2 on a VGG-16 (the reference's), the recipe's otherwise.</summary>
    public IReadOnlyList<string>? ContentLayers { get; init; }
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Sample grid, loss plot and run checkpoint every this many steps (and at the end).</summary>
    public int SampleEvery { get; init; } = 200;
    /// <summary>Folder for samples, plots and the run checkpoint (default: beside the output, OUTPUT.run/).</summary>
    public string? RunDir { get; init; }
    /// <summary>Continue from the run checkpoint in <see cref="RunDir"/> when there is one.</summary>
    public bool Resume { get; init; }
    public long Seed { get; init; } = 42;
}

/// <summary>
/// Trains a <see cref="TransformerNet"/> for one style (Johnson et al. 2016) with a fixed loss network.
/// On a VGG-16 (the reference's): content loss MSE on relu2_2 × content weight, style loss Σ MSE of Gram matrices
/// F Fᵀ/(c h w) on relu1_2, relu2_2, relu3_3, relu4_3 × style weight; Adam. On any other feature network (the
/// built-in ResNet-18 by default) the loss is Gatys's, which Johnson et al. amortise, with that network's recipe:
/// its style and content layers, Gram style loss, content loss and total variation at the weights Gatys style
/// transfer uses on it. Inputs are on the 0..255 scale as in the reference; the loss network sees them /255.
/// </summary>
public sealed class FastStyleTrainer
{
    public static readonly string[] StyleLayers = ["relu1_2", "relu2_2", "relu3_3", "relu4_3"];
    public const string ContentLayer = "relu2_2";

    public sealed record Result(long Steps, double FirstLoss, double LastLoss, string RunDir, StyleTrainingSupport.LossHistory History);

    /// <summary>True when <paramref name="network"/> gets the reference's VGG-16 losses rather than the recipe's.</summary>
    public static bool UsesReferenceLosses(FeatureNetwork network) => network is Vgg;

    /// <summary>
    /// Trains with <paramref name="lossNetwork"/>: a VGG-16 reaching relu4_3 (torchvision vgg16 weights, or a built-in
    /// one) for the reference's losses, or another feature network (the built-in ResNet-18) for its recipe's.
    /// </summary>
    public static Result Train(FastStyleTrainOptions o, FeatureNetwork lossNetwork, Device? device = null, IProgress<ProgressReport>? progress = null,
        Action<string>? warn = null, CancellationToken ct = default)
    {
        device ??= CPU;
        warn = StyleTrainingSupport.Once(warn);
        Validate(o, lossNetwork);
        var losses = new TrainingLosses(o, lossNetwork);
        var files = StyleTrainingSupport.ImagesIn(o.ContentDir, "content images");
        var runDir = o.RunDir ?? o.Output + ".run";
        Directory.CreateDirectory(runDir);
        var ckptPath = Path.Combine(runDir, "checkpoint.safetensors");

        manual_seed(o.Seed); // the initial weights follow the run's seed
        using var net = new TransformerNet();
        net.to(device).train();
        using var adam = new AdamOptimizer(net.named_parameters(), o.LearningRate, 0.9, 0.999);
        var random = new TrainingRandom(o.Seed);
        var history = new StyleTrainingSupport.LossHistory();
        long step = 0;
        if (o.Resume && File.Exists(ckptPath))
        {
            using var ck = Checkpointing.Load(ckptPath);
            if (Checkpointing.Require(ck.Metadata, "kind") != "fast-style")
                throw new AtelierException($"{ckptPath}: not a fast-style run checkpoint");
            Checkpointing.LoadModule(net, "net", ck.Tensors);
            adam.LoadState("adam", ck.Tensors, ck.Metadata);
            random.LoadState(Checkpointing.Require(ck.Metadata, "random"));
            step = long.Parse(Checkpointing.Require(ck.Metadata, "step"), CultureInfo.InvariantCulture);
            history = StyleTrainingSupport.LossHistory.Parse(ck.Metadata.GetValueOrDefault("history"));
        }

        // The style's Gram matrices, computed once.
        var styleImage = ImageIO.Load(o.StyleImage);
        if (o.StyleSize is int ss) styleImage = ImageResize.ResizeShorterSide(styleImage, ss);
        lossNetwork.CheckInputSize(styleImage.Width, styleImage.Height, $"the style image {o.StyleImage}");
        var gramStyle = new Dictionary<string, Tensor>();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var feats = lossNetwork.Features(ImageTensors.ToTensor(styleImage, ValueRange.ZeroOne, device), losses.StyleLayers);
            foreach (var l in losses.StyleLayers) gramStyle[l] = losses.StyleGram(feats[l]).DetachFromDisposeScope();
        }

        // Fixed samples for the grid: the first images of the folder.
        var samples = files.Take(Math.Min(3, files.Count)).Select(f => StyleTrainingSupport.LoadCrop(f, o.ImageSize, o.ImageSize, null, null)).OfType<Image>().ToList();
        int stepsPerEpoch = (files.Count + o.BatchSize - 1) / o.BatchSize;
        long total = o.MaxSteps ?? (long)stepsPerEpoch * o.Epochs;
        double firstLoss = double.NaN, lastLoss = double.NaN;
        long skipped = 0;
        try
        {
            while (step < total)
            {
                // Each epoch visits the images in a fresh order; the order is derived from the seed and the epoch so resuming continues it.
                long epoch = step / stepsPerEpoch;
                var order = files.ToList();
                new TrainingRandom(o.Seed + epoch).Shuffle(order);
                int start = (int)(step % stepsPerEpoch) * o.BatchSize;
                var batchFiles = order.Skip(start).Take(o.BatchSize).ToList();
                var images = batchFiles.Select(f => StyleTrainingSupport.LoadCrop(f, o.ImageSize, o.ImageSize, null, warn)).OfType<Image>().ToList();
                ct.ThrowIfCancellationRequested();
                if (images.Count > 0)
                {
                    using var scope = NewDisposeScope();
                    var x = ImageTensors.ToTensor(images, ValueRange.ZeroOne, device) * 255.0;
                    adam.ZeroGrad();
                    var y = net.forward(x);
                    var (contentLoss, styleLoss, tvLoss) = losses.Evaluate(x, y, gramStyle);
                    var loss = contentLoss + styleLoss;
                    if (tvLoss is not null) loss = loss + tvLoss;
                    loss.backward();
                    double c = contentLoss.item<float>(), s = styleLoss.item<float>(), tv = tvLoss?.item<float>() ?? 0;
                    string? badGradient = null;
                    if (!FiniteUpdate.Step(adam, net, loss, name => badGradient = name))
                    {
                        // Not a number worth plotting; the weights are left as they were.
                        skipped++;
                        string what = double.IsFinite(c + s + tv) ? $"the gradient of {badGradient ?? "a parameter"}" : $"the loss (content {c}, style {s}, tv {tv})";
                        warn?.Invoke($"step {step + 1}: {what} was not finite; the update was skipped ({skipped} so far)");
                    }
                    else
                    {
                        lastLoss = c + s + tv;
                        if (double.IsNaN(firstLoss)) firstLoss = lastLoss;
                        var parts = new Dictionary<string, double> { ["content"] = c, ["style"] = s };
                        if (tvLoss is not null) parts["tv"] = tv;
                        parts["total"] = lastLoss;
                        history.Add(step + 1, parts);
                        progress?.Report(new ProgressReport(step + 1, total, $"epoch {epoch + 1}", new Dictionary<string, double> { ["content"] = c, ["style"] = s }));
                    }
                }
                step++;
                if (step % o.SampleEvery == 0 || step == total)
                    Snapshot(net, adam, random, history, step, samples, styleImage, runDir, ckptPath, o, device, lossNetwork.Description);
            }
        }
        catch (OperationCanceledException)
        {
            Snapshot(net, adam, random, history, step, samples, styleImage, runDir, ckptPath, o, device, lossNetwork.Description);
            throw;
        }
        SafeTensorsSaveModel(net, o.Output, lossNetwork.Description);
        foreach (var g in gramStyle.Values) g.Dispose();
        return new Result(step, firstLoss, lastLoss, runDir, history);
    }

    /// <summary>F Fᵀ / (c h w) per image, as the reference's gram_matrix.</summary>
    public static Tensor Gram(Tensor features)
    {
        long c = features.shape[1], hw = features.shape[2] * features.shape[3];
        var f = features.reshape(features.shape[0], c, hw);
        return f.bmm(f.transpose(1, 2)) / (c * hw);
    }

    static void Snapshot(TransformerNet net, AdamOptimizer adam, TrainingRandom random, StyleTrainingSupport.LossHistory history, long step,
        List<Image> samples, Image style, string runDir, string ckptPath, FastStyleTrainOptions o, Device device, string features)
    {
        var tensors = new Dictionary<string, Tensor>();
        var meta = new Dictionary<string, string>
        {
            ["kind"] = "fast-style", ["step"] = step.ToString(CultureInfo.InvariantCulture), ["random"] = random.SaveState(),
            ["history"] = history.Serialise(), ["features"] = features,
        };
        Checkpointing.AddModule(net, "net", tensors);
        adam.SaveState("adam", tensors, meta);
        Checkpointing.Save(ckptPath, tensors, meta);
        if (samples.Count > 0)
        {
            net.eval();
            var outs = FastStyle.Stylize(net, samples, device);
            net.train();
            var styleThumb = ImageResize.Resize(style, samples[0].Width, samples[0].Height);
            var rows = samples.Select((s, i) => (IReadOnlyList<(Image, string)>)[(s, "content"), (styleThumb, "style"), (outs[i], $"step {step}")]).ToList();
            StyleTrainingSupport.SaveGrid(Path.Combine(runDir, $"samples_{step:D6}.png"), rows);
        }
        if (history.Serialise().Length > 0) history.SavePlot(Path.Combine(runDir, "loss.png"), "fast style training loss");
    }

    static void SafeTensorsSaveModel(TransformerNet net, string path, string features) =>
        Checkpoints.SafeTensors.Save(path, net.state_dict(), new Dictionary<string, string> { ["architecture"] = "fast_neural_style.TransformerNet", ["features"] = features });

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
        if (o.ImageSize < 16) throw new AtelierUsageException($"--image-size {o.ImageSize}: must be at least 16");
        if (o.BatchSize < 1) throw new AtelierUsageException($"--batch-size {o.BatchSize}: must be 1 or more");
        if (o.Epochs < 1) throw new AtelierUsageException($"--epochs {o.Epochs}: must be 1 or more");
        if (o.SampleEvery < 1) throw new AtelierUsageException($"--sample-every {o.SampleEvery}: must be 1 or more");
        if (!(o.LearningRate > 0)) throw new AtelierUsageException($"--lr {o.LearningRate}: must be positive");
        if (o.ContentWeight is < 0 or double.NaN || o.StyleWeight is < 0 or double.NaN) throw new AtelierUsageException("--content-weight and --style-weight must be non-negative");
        if (o.ContentLayers is { } layers)
        {
            if (layers.Count == 0) throw new AtelierUsageException("--content-layer: name at least one layer");
            foreach (var l in layers)
                if (!lossNetwork.LayerNames.Contains(l))
                    throw new AtelierUsageException($"--content-layer {l}: {lossNetwork.Description} has no such layer (it has {string.Join(", ", lossNetwork.LayerNames)})");
        }
        if (UsesReferenceLosses(lossNetwork))
            foreach (var l in StyleLayers)
                if (!lossNetwork.LayerNames.Contains(l))
                    throw new AtelierException($"the loss network has no {l}: fast-style training on a VGG needs a VGG-16 (torchvision vgg16 weights)");
        if (!File.Exists(o.StyleImage)) throw new AtelierException($"{o.StyleImage}: no such file (style image)");
    }
}
