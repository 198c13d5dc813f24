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
    /// <summary>Where the decoder goes (.safetensors in the pytorch-AdaIN key layout, loadable by `style adain --decoder`).</summary>
    public required string Output { get; init; }
    /// <summary>Images are resized so the shorter side is this, then randomly cropped to <see cref="CropSize"/>.</summary>
    public int LoadSize { get; init; } = 512;
    public int CropSize { get; init; } = 256;
    public int BatchSize { get; init; } = 8;
    public long Iterations { get; init; } = 160_000;
    public double LearningRate { get; init; } = 1e-4;
    public double LearningRateDecay { get; init; } = 5e-5;
    public double StyleWeight { get; init; } = 10.0;
    public double ContentWeight { get; init; } = 1.0;
    public int SampleEvery { get; init; } = 1000;
    public string? RunDir { get; init; }
    public bool Resume { get; init; }
    public long Seed { get; init; } = 42;
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
public sealed class AdaInTrainer
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

    public sealed record Result(long Steps, double FirstLoss, double LastLoss, string RunDir, StyleTrainingSupport.LossHistory History);

    public static Result Train(AdaInTrainOptions o, FeatureNetwork encoder, Device? device = null, IProgress<ProgressReport>? progress = null,
        Action<string>? warn = null, CancellationToken ct = default)
    {
        device ??= CPU;
        warn = StyleTrainingSupport.Once(warn);
        Validate(o, encoder);
        var contents = StyleTrainingSupport.ImagesIn(o.ContentDir, "content images");
        var styles = StyleTrainingSupport.ImagesIn(o.StyleDir, "style images");
        var runDir = o.RunDir ?? o.Output + ".run";
        Directory.CreateDirectory(runDir);
        var ckptPath = Path.Combine(runDir, "checkpoint.safetensors");

        var (tap, styleLayers) = LayersFor(encoder);
        using var decoder = NewDecoder(encoder);
        decoder.to(device).train();
        using var adam = new AdamOptimizer(decoder.named_parameters(), o.LearningRate, 0.9, 0.999);
        var random = new TrainingRandom(o.Seed);
        var history = new StyleTrainingSupport.LossHistory();
        long step = 0;
        if (o.Resume && File.Exists(ckptPath))
        {
            using var ck = Checkpointing.Load(ckptPath);
            if (Checkpointing.Require(ck.Metadata, "kind") != "adain-decoder")
                throw new AtelierException($"{ckptPath}: not an AdaIN decoder run checkpoint");
            Checkpointing.LoadModule(decoder, "decoder", ck.Tensors);
            adam.LoadState("adam", ck.Tensors, ck.Metadata);
            random.LoadState(Checkpointing.Require(ck.Metadata, "random"));
            step = long.Parse(Checkpointing.Require(ck.Metadata, "step"), CultureInfo.InvariantCulture);
            history = StyleTrainingSupport.LossHistory.Parse(ck.Metadata.GetValueOrDefault("history"));
        }

        // Fixed pairs for the grid (centre crops).
        var samplePairs = Enumerable.Range(0, Math.Min(3, Math.Min(contents.Count, styles.Count)))
            .Select(i => (C: StyleTrainingSupport.LoadCrop(contents[i], o.CropSize, o.CropSize, null, null), S: StyleTrainingSupport.LoadCrop(styles[i], o.CropSize, o.CropSize, null, null)))
            .Where(p => p.C is not null && p.S is not null).Select(p => (p.C!, p.S!)).ToList();
        double firstLoss = double.NaN, lastLoss = double.NaN;
        try
        {
            while (step < o.Iterations)
            {
                ct.ThrowIfCancellationRequested();
                adam.LearningRate = o.LearningRate / (1.0 + o.LearningRateDecay * step);
                var c = Batch(contents, o, random, warn);
                var s = Batch(styles, o, random, warn);
                if (c.Count > 0 && s.Count > 0)
                {
                    int n = Math.Min(c.Count, s.Count);
                    using var scope = NewDisposeScope();
                    var ct0 = ImageTensors.ToTensor(c.Take(n).ToList(), ValueRange.ZeroOne, device);
                    var st0 = ImageTensors.ToTensor(s.Take(n).ToList(), ValueRange.ZeroOne, device);
                    Tensor t;
                    Dictionary<string, Tensor> fs;
                    using (no_grad())
                    {
                        fs = encoder.Features(st0, styleLayers);
                        var fc = encoder.Features(ct0, [tap])[tap];
                        t = AdaIn.Transfer(fc, fs[tap]);
                    }
                    adam.ZeroGrad();
                    var g = decoder.forward(t);
                    // The encoder's 'same' padding can make the decoder's output a little larger than the crop.
                    if (g.shape[2] != ct0.shape[2] || g.shape[3] != ct0.shape[3]) g = g[.., .., ..(int)ct0.shape[2], ..(int)ct0.shape[3]];
                    var fg = encoder.Features(g, styleLayers);
                    var contentLoss = nn.functional.mse_loss(fg[tap], t) * o.ContentWeight;
                    Tensor styleLoss = zeros(1, device: device);
                    foreach (var l in styleLayers)
                    {
                        var (gm, gs) = AdaIn.MeanStd(fg[l]);
                        var (sm, ss) = AdaIn.MeanStd(fs[l]);
                        styleLoss = styleLoss + nn.functional.mse_loss(gm, sm) + nn.functional.mse_loss(gs, ss);
                    }
                    styleLoss = styleLoss * o.StyleWeight;
                    (contentLoss + styleLoss).backward();
                    adam.Step();
                    double cl = contentLoss.item<float>(), sl = styleLoss.item<float>();
                    lastLoss = cl + sl;
                    if (double.IsNaN(firstLoss)) firstLoss = lastLoss;
                    history.Add(step + 1, new Dictionary<string, double> { ["content"] = cl, ["style"] = sl, ["total"] = cl + sl });
                    progress?.Report(new ProgressReport(step + 1, o.Iterations, "", new Dictionary<string, double> { ["content"] = cl, ["style"] = sl }));
                }
                step++;
                if (step % o.SampleEvery == 0 || step == o.Iterations)
                    Snapshot(decoder, encoder, adam, random, history, step, samplePairs, runDir, ckptPath, device);
            }
        }
        catch (OperationCanceledException)
        {
            Snapshot(decoder, encoder, adam, random, history, step, samplePairs, runDir, ckptPath, device);
            throw;
        }
        var outputMeta = decoder.Metadata();
        outputMeta["features"] = encoder.Description;
        Checkpoints.SafeTensors.Save(o.Output, decoder.state_dict(), outputMeta);
        return new Result(step, firstLoss, lastLoss, runDir, history);
    }

    static List<Image> Batch(List<string> files, AdaInTrainOptions o, TrainingRandom random, Action<string>? warn)
    {
        var batch = new List<Image>();
        for (int i = 0; i < o.BatchSize; i++)
            if (StyleTrainingSupport.LoadCrop(files[random.Next(files.Count)], o.LoadSize, o.CropSize, random, warn) is { } img) batch.Add(img);
        return batch;
    }

    static void Snapshot(AdaInDecoder decoder, FeatureNetwork encoder, AdamOptimizer adam, TrainingRandom random, StyleTrainingSupport.LossHistory history,
        long step, List<(Image C, Image S)> samples, string runDir, string ckptPath, Device device)
    {
        var tensors = new Dictionary<string, Tensor>();
        var meta = new Dictionary<string, string>
        {
            ["kind"] = "adain-decoder", ["step"] = step.ToString(CultureInfo.InvariantCulture), ["random"] = random.SaveState(),
            ["history"] = history.Serialise(), ["features"] = encoder.Description,
        };
        // A mirror decoder's shape, so the run checkpoint loads as a decoder too.
        if (decoder.Encoder is not null) foreach (var (k, v) in decoder.Metadata()) meta[k] = v;
        Checkpointing.AddModule(decoder, "decoder", tensors);
        adam.SaveState("adam", tensors, meta);
        Checkpointing.Save(ckptPath, tensors, meta);
        if (samples.Count > 0)
        {
            using var scope = NewDisposeScope();
            using var g = no_grad();
            var stylizer = new AdaInStylizer(encoder, decoder);
            var rows = samples.Select(p =>
            {
                var y = stylizer.Stylize(ImageTensors.ToTensor(p.C, ValueRange.ZeroOne, device), [new StyleInput(ImageTensors.ToTensor(p.S, ValueRange.ZeroOne, device))]);
                return (IReadOnlyList<(Image, string)>)[(p.C, "content"), (p.S, "style"), (ImageTensors.FromTensor(y.cpu()), $"step {step}")];
            }).ToList();
            StyleTrainingSupport.SaveGrid(Path.Combine(runDir, $"samples_{step:D6}.png"), rows);
        }
        if (history.Serialise().Length > 0) history.SavePlot(Path.Combine(runDir, "loss.png"), "AdaIN decoder training loss");
    }

    static void Validate(AdaInTrainOptions o, FeatureNetwork encoder)
    {
        if (o.CropSize < 16) throw new AtelierUsageException($"--crop-size {o.CropSize}: must be at least 16");
        if (o.LoadSize < o.CropSize) throw new AtelierUsageException($"--load-size {o.LoadSize}: must be at least --crop-size {o.CropSize}");
        if (o.BatchSize < 1) throw new AtelierUsageException($"--batch-size {o.BatchSize}: must be 1 or more");
        if (o.Iterations < 1) throw new AtelierUsageException($"--iterations {o.Iterations}: must be 1 or more");
        if (o.SampleEvery < 1) throw new AtelierUsageException($"--sample-every {o.SampleEvery}: must be 1 or more");
        if (!(o.LearningRate > 0)) throw new AtelierUsageException($"--lr {o.LearningRate}: must be positive");
        if (encoder is Vgg && (!encoder.LayerNames.Contains("relu4_1") || encoder.ChannelsOf("relu4_1") != 512))
            throw new AtelierException("the encoder must be the normalised VGG-19 through relu4_1 (vgg_normalised.pth)");
        var missing = LayersFor(encoder).StyleLayers.Where(l => !encoder.LayerNames.Contains(l)).ToList();
        if (encoder is not Vgg && missing.Count > 0)
            throw new AtelierException($"the encoder {encoder.Description} has no {string.Join(", ", missing)}");
    }
}
