using System.Globalization;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using Atelier.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>Options of <see cref="AdaInTrainer"/>; defaults are pytorch-AdaIN's train.py.</summary>
public sealed record AdaInTrainOptions
{
    public required string ContentDir { get; init; }
    public required string StyleDir { get; init; }
    /// <summary>Where the decoder goes (.safetensors in the pytorch-AdaIN key layout, loadable by `adain stylize --decoder`).</summary>
    public required string Output { get; init; }
    /// <summary>Images are resized so the shorter side is this, then randomly cropped to <see cref="CropSize"/>.</summary>
    public int LoadSize { get; init; } = 512;
    public int CropSize { get; init; } = 256;
    public int BatchSize { get; init; } = 8;
    /// <summary>Training steps (the reference's max_iter).</summary>
    public long Steps { get; init; } = 160_000;
    public double LearningRate { get; init; } = 1e-4;
    public double LearningRateDecay { get; init; } = 5e-5;
    public double StyleWeight { get; init; } = 10.0;
    public double ContentWeight { get; init; } = 1.0;
    /// <summary>Sample grid and loss plot every this many steps (and at the end).</summary>
    public int SampleEvery { get; init; } = 1000;
    /// <summary>Resumable run checkpoint every this many steps (and at the end, and when stopped).</summary>
    public int CheckpointEvery { get; init; } = 1000;
    /// <summary>The run folder (<see cref="TrainingLoop"/>'s layout; default: beside the output, OUTPUT.run/).</summary>
    public string? RunDir { get; init; }
    /// <summary>Continue the run in <see cref="RunDir"/> from its checkpoint.</summary>
    public bool Resume { get; init; }
    public long Seed { get; init; } = 42;
    /// <summary>
    /// A held-out folder laid out like the training data (content/ and style/ subfolders), scored every
    /// <see cref="EvalEvery"/> steps: each content with a style (in turn), style and content distances.
    /// </summary>
    public string? EvalDir { get; init; }
    public int? EvalEvery { get; init; }
    public int EvalImages { get; init; } = 8;
}

/// <summary>
/// Trains the AdaIN decoder (Huang and Belongie 2017) against a fixed encoder: t = AdaIN(f(c), f(s)), g = decoder(t);
/// content loss MSE(f(g), t) at the encoder's tap; style loss Σ over the encoder's levels of MSE(means) + MSE(stds);
/// Adam with lr / (1 + decay · iteration). On the normalised VGG-19 (the reference) the tap is relu4_1 and the levels
/// relu1_1..relu4_1, and the decoder has the reference layout. On the built-in ResNet-18 the tap is layer2.1 (128
/// channels at stride 8, like relu4_1's stride: deep enough to carry the content's layout, shallow enough that three
/// upsamplings restore detail, as for relu4_1; layer3, at stride 16, would need a fourth),
/// the levels conv1, layer1.1 and layer2.1, and the decoder mirrors it (<see cref="AdaInDecoder.Mirror"/>).
/// </summary>
public sealed class AdaInTrainer : ITrainable, IHeldOutScoring
{
    public static readonly string[] StyleLayers = ["relu1_1", "relu2_1", "relu3_1", "relu4_1"];
    public static readonly string[] ResNetStyleLayers = ["conv1", "layer1.1", "layer2.1"];
    public const string ResNetTap = "layer2.1";

    /// <summary>The tap whose output the decoder inverts and the levels whose statistics the style loss matches.</summary>
    public static (string Tap, IReadOnlyList<string> StyleLayers) LayersFor(FeatureNetwork encoder) =>
        encoder is Vgg ? ("relu4_1", StyleLayers) : (ResNetTap, ResNetStyleLayers);

    /// <summary>A new decoder for <paramref name="encoder"/>: the reference layout on a VGG, a mirror of the tap otherwise.</summary>
    public static AdaInDecoder NewDecoder(FeatureNetwork encoder)
    {
        if (encoder is Vgg) return new AdaInDecoder();
        var (tap, _) = LayersFor(encoder);
        return AdaInDecoder.Mirror(encoder.ChannelsOf(tap), (int)Math.Round(Math.Log2(encoder.StrideOf(tap))), tap, encoder.Description);
    }

    readonly AdaInTrainOptions _o;
    readonly FeatureNetwork _encoder;
    readonly Device _device;
    readonly Action<string>? _warn;
    readonly List<string> _contents, _styles;
    readonly string _tap;
    readonly IReadOnlyList<string> _styleLayers;
    readonly AdaInDecoder _decoder;
    readonly AdamOptimizer _adam;
    readonly TrainingRandom _random;
    readonly List<(Image C, Image S)> _samplePairs;
    double _factor = 1;

    public string Kind => "adain-decoder";

    public AdaInTrainer(AdaInTrainOptions o, FeatureNetwork encoder, Device? device = null, Action<string>? warn = null)
    {
        _o = o;
        _encoder = encoder;
        _device = device ?? CPU;
        _warn = StyleTrainingSupport.Once(warn);
        Validate(o, encoder);
        _contents = StyleTrainingSupport.ImagesIn(o.ContentDir, "content images");
        _styles = StyleTrainingSupport.ImagesIn(o.StyleDir, "style images");
        (_tap, _styleLayers) = LayersFor(encoder);
        // Fixed pairs for the grid (centre crops).
        _samplePairs = Enumerable.Range(0, Math.Min(3, Math.Min(_contents.Count, _styles.Count)))
            .Select(i => (C: StyleTrainingSupport.LoadCrop(_contents[i], o.CropSize, o.CropSize, null, null), S: StyleTrainingSupport.LoadCrop(_styles[i], o.CropSize, o.CropSize, null, null)))
            .Where(p => p.C is not null && p.S is not null).Select(p => (p.C!, p.S!)).ToList();
        manual_seed(o.Seed); // the initial weights follow the run's seed
        _decoder = NewDecoder(encoder);
        _decoder.to(_device).train();
        _adam = new AdamOptimizer(_decoder.named_parameters(), o.LearningRate, 0.9, 0.999);
        _random = new TrainingRandom(o.Seed);
    }

    /// <summary>
    /// Trains a new decoder (or resumes its run) and writes it to <see cref="AdaInTrainOptions.Output"/> when the run
    /// reaches its last step; a stopped run keeps its checkpoint (itself loadable as a decoder) and writes no output.
    /// </summary>
    public static TrainingResult Train(AdaInTrainOptions o, FeatureNetwork encoder, Device? device = null, IProgress<ProgressReport>? progress = null,
        Action<string>? warn = null, CancellationToken ct = default)
    {
        using var trainer = new AdaInTrainer(o, encoder, device, warn);
        var loop = new TrainingLoopOptions(o.RunDir ?? o.Output + ".run", o.Steps, 0, o.SampleEvery, o.CheckpointEvery)
            { EvalDir = o.EvalDir, EvalEvery = o.EvalEvery, EvalImages = o.EvalImages };
        var result = TrainingLoop.Run(trainer, loop, o.Resume, progress, ct, warn);
        if (!result.Interrupted) trainer.Export(o.Output);
        return result;
    }

    public IReadOnlyDictionary<string, double> TrainStep(long step)
    {
        // The reference's schedule, lr / (1 + decay · iteration), under the loop's factor.
        _adam.LearningRate = _o.LearningRate * _factor / (1.0 + _o.LearningRateDecay * step);
        var c = Batch(_contents);
        var s = Batch(_styles);
        var losses = new Dictionary<string, double>();
        if (c.Count == 0 || s.Count == 0) return losses;
        int n = Math.Min(c.Count, s.Count);
        using var scope = NewDisposeScope();
        var ct0 = ImageTensors.ToTensor(c.Take(n).ToList(), ValueRange.ZeroOne, _device);
        var st0 = ImageTensors.ToTensor(s.Take(n).ToList(), ValueRange.ZeroOne, _device);
        Tensor t;
        Dictionary<string, Tensor> fs;
        using (no_grad())
        {
            fs = _encoder.Features(st0, _styleLayers);
            var fc = _encoder.Features(ct0, [_tap])[_tap];
            t = AdaIn.Transfer(fc, fs[_tap]);
        }
        _adam.ZeroGrad();
        var g = _decoder.forward(t);
        // The encoder's 'same' padding can make the decoder's output a little larger than the crop.
        if (g.shape[2] != ct0.shape[2] || g.shape[3] != ct0.shape[3]) g = g[.., .., ..(int)ct0.shape[2], ..(int)ct0.shape[3]];
        var fg = _encoder.Features(g, _styleLayers);
        var contentLoss = nn.functional.mse_loss(fg[_tap], t) * _o.ContentWeight;
        Tensor styleLoss = zeros(1, device: _device);
        foreach (var l in _styleLayers)
        {
            var (gm, gs) = AdaIn.MeanStd(fg[l]);
            var (sm, ss) = AdaIn.MeanStd(fs[l]);
            styleLoss = styleLoss + nn.functional.mse_loss(gm, sm) + nn.functional.mse_loss(gs, ss);
        }
        styleLoss = styleLoss * _o.StyleWeight;
        (contentLoss + styleLoss).backward();
        _adam.Step();
        double cl = contentLoss.item<float>(), sl = styleLoss.item<float>();
        losses["content"] = cl;
        losses["style"] = sl;
        losses["total"] = cl + sl;
        return losses;
    }

    public void SetLearningRateFactor(double factor) => _factor = factor;

    /// <summary>The decoder under decoder.* with its shape metadata (so the run checkpoint loads as a decoder), Adam, the data RNG.</summary>
    public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata)
    {
        if (_decoder.Encoder is not null) foreach (var (k, v) in _decoder.Metadata()) metadata[k] = v;
        metadata["features"] = _encoder.Description;
        metadata["random"] = _random.SaveState();
        Checkpointing.AddModule(_decoder, "decoder", tensors);
        _adam.SaveState("adam", tensors, metadata);
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue("features", out var features) && features != _encoder.Description)
            throw new AtelierException($"the run was trained with the encoder {features}, not {_encoder.Description}");
        Checkpointing.LoadModule(_decoder, "decoder", tensors);
        _adam.LoadState("adam", tensors, metadata);
        _random.LoadState(Checkpointing.Require(metadata, "random"));
    }

    /// <summary>Held-out contents (FOLDER/content) each paired with a held-out style (FOLDER/style, in turn), at the crop size.</summary>
    public HeldOutData LoadHeldOut(string folder, int maxImages, Action<string>? warn)
    {
        List<Image> Load(string sub, string what) =>
            StyleTrainingSupport.ImagesIn(Path.Combine(folder, sub), what)
                .Select(f => StyleTrainingSupport.LoadCrop(f, _o.CropSize, _o.CropSize, null, warn)).OfType<Image>().Take(maxImages).ToList();
        if (!Directory.Exists(Path.Combine(folder, "content")) || !Directory.Exists(Path.Combine(folder, "style")))
            throw new AtelierException($"{folder}: an AdaIN held-out folder holds content/ and style/ subfolders");
        var contents = Load("content", "held-out content pictures");
        var styles = Load("style", "held-out style pictures");
        if (contents.Count == 0 || styles.Count == 0) throw new AtelierException($"{folder}: no usable held-out pictures in content/ or style/");
        return new HeldOutData(HeldOutFigures.Style, contents, [], Styles: contents.Select((_, i) => styles[i % styles.Count]).ToList());
    }

    /// <summary>Each held-out content stylised with its style by the decoder in eval mode (it keeps no statistics).</summary>
    public IReadOnlyList<Image> Produce(HeldOutData data)
    {
        using var scope = NewDisposeScope();
        using var g = no_grad();
        _decoder.eval();
        try
        {
            var stylizer = new AdaInStylizer(_encoder, _decoder);
            return data.Inputs.Select((c, i) => stylizer.Stylize(c, data.Styles![i])).ToList();
        }
        finally { _decoder.train(); }
    }

    /// <summary>One row per fixed pair: content, style, the stylised output.</summary>
    public (IReadOnlyList<(Image Image, string? Caption)> Cells, int Columns) Samples()
    {
        var stylizer = new AdaInStylizer(_encoder, _decoder);
        var cells = new List<(Image, string?)>();
        foreach (var p in _samplePairs) cells.AddRange([(p.C, "content"), (p.S, "style"), (stylizer.Stylize(p.C, p.S), "output")]);
        return (cells, 3);
    }

    /// <summary>Writes the decoder (pytorch-AdaIN keys; a mirror decoder with its shape and encoder in the metadata).</summary>
    public void Export(string path)
    {
        var meta = _decoder.Metadata();
        meta["features"] = _encoder.Description;
        Checkpoints.SafeTensors.Save(path, _decoder.state_dict(), meta);
    }

    List<Image> Batch(List<string> files)
    {
        var batch = new List<Image>();
        for (int i = 0; i < _o.BatchSize; i++)
            if (StyleTrainingSupport.LoadCrop(files[_random.Next(files.Count)], _o.LoadSize, _o.CropSize, _random, _warn) is { } img) batch.Add(img);
        return batch;
    }

    public void Dispose()
    {
        _adam.Dispose();
        _decoder.Dispose();
    }

    static void Validate(AdaInTrainOptions o, FeatureNetwork encoder)
    {
        if (o.CropSize < 16) throw new AtelierUsageException($"{{CropSize}} {o.CropSize}: must be at least 16");
        if (o.LoadSize < o.CropSize) throw new AtelierUsageException($"{{LoadSize}} {o.LoadSize}: must be at least {{CropSize}} {o.CropSize}");
        if (o.BatchSize < 1) throw new AtelierUsageException($"{{BatchSize}} {o.BatchSize}: must be 1 or more");
        if (o.Steps < 1) throw new AtelierUsageException($"{{Steps}} {o.Steps}: must be 1 or more");
        if (o.CheckpointEvery < 1) throw new AtelierUsageException($"{{CheckpointEvery}} {o.CheckpointEvery}: must be 1 or more");
        if (o.SampleEvery < 1) throw new AtelierUsageException($"{{SampleEvery}} {o.SampleEvery}: must be 1 or more");
        if (!(o.LearningRate > 0) || !double.IsFinite(o.LearningRate)) throw new AtelierUsageException($"{{LearningRate}} {o.LearningRate}: must be a positive number");
        if (encoder is Vgg && (!encoder.LayerNames.Contains("relu4_1") || encoder.ChannelsOf("relu4_1") != 512))
            throw new AtelierException("the encoder must be the normalised VGG-19 through relu4_1 (vgg_normalised.pth)");
        var missing = LayersFor(encoder).StyleLayers.Where(l => !encoder.LayerNames.Contains(l)).ToList();
        if (encoder is not Vgg && missing.Count > 0)
            throw new AtelierException($"the encoder {encoder.Description} has no {string.Join(", ", missing)}");
    }
}
