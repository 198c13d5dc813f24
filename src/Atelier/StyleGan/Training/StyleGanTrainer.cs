using System.Globalization;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan.Training;

/// <summary>
/// StyleGAN2 training as rosinality's train.py does it, one <see cref="TrainStep"/> per batch:
/// D with the non-saturating logistic loss; every DRegEvery steps R1 on real images, scaled by DRegEvery (lazy
/// regularisation); G with the non-saturating loss on style-mixed latents; every GRegEvery steps the path-length
/// penalty on a smaller batch, scaled by GRegEvery; then the EMA generator g_ema moves toward G. Adam's lr and
/// betas are adjusted for the lazy schedule (lr r, betas 0^r, 0.99^r with r = every / (every + 1)).
/// Run by <see cref="TrainingLoop"/> (checkpoints, sample grids, loss plots, Ctrl+C); the checkpoint holds
/// g, d, g_ema, g_optim, d_optim and args as rosinality's does, so `stylegan generate` loads its g_ema.
/// </summary>
public sealed class StyleGanTrainer : ITrainable, IHeldOutScoring
{
    /// <summary>Metadata key of the run's options (JSON), so a resume rebuilds the same networks.</summary>
    public const string OptionsKey = "atelier.stylegan.options";

    readonly StyleGanTrainingOptions _o;
    readonly ImageFolderDataset _data;
    readonly TrainingRandom _random;
    readonly AdamOptimizer _optG, _optD;
    readonly Device _device;
    readonly Tensor _sampleZ;
    readonly double _gRatio, _dRatio;
    double _meanPathLength;
    long _skipped;

    public Generator G { get; }
    public Discriminator D { get; }
    /// <summary>The exponential moving average of G's weights (what sampling and the checkpoint's g_ema use).</summary>
    public Generator GEma { get; }
    public StyleGanTrainingOptions Options => _o;
    public string Kind => "stylegan2";
    public double MeanPathLength => _meanPathLength;
    /// <summary>Optimiser updates skipped because their loss or gradients were not finite.</summary>
    public long SkippedUpdates => _skipped;

    public StyleGanTrainer(ImageFolderDataset data, StyleGanTrainingOptions options, Device? device = null)
    {
        _o = options.Validate();
        if (data.Size != _o.Size) throw new AtelierException($"the data set is prepared at {data.Size} px, the model is {_o.Size} px");
        _data = data;
        _device = device ?? CPU;
        torch.manual_seed(_o.Seed);
        _random = new TrainingRandom(_o.Seed);
        var config = _o.Config;
        G = new Generator(config);
        D = new Discriminator(config);
        GEma = new Generator(config);
        G.to(_device); D.to(_device); GEma.to(_device);
        GEma.eval();
        using (no_grad())
        {
            // g_ema starts as a copy of G (accumulate(g_ema, g, 0) in the reference), noise buffers included.
            foreach (var ((_, target), (_, source)) in GEma.state_dict().Zip(G.state_dict())) target.copy_(source);
        }
        SetRequiresGrad(GEma, false);
        _sampleZ = randn(_o.SampleCount, _o.StyleDim).to(_device).DetachFromDisposeScope();

        _gRatio = (double)_o.GRegEvery / (_o.GRegEvery + 1);
        _dRatio = (double)_o.DRegEvery / (_o.DRegEvery + 1);
        _optG = new AdamOptimizer(G.named_parameters(), _o.LearningRate * _gRatio, 0, Math.Pow(0.99, _gRatio));
        _optD = new AdamOptimizer(D.named_parameters(), _o.LearningRate * _dRatio, 0, Math.Pow(0.99, _dRatio));
    }

    /// <summary>
    /// The w+ codes of a batch: with probability Mixing two z's mapped and crossed at a random index in
    /// [1, n_latent - 1] (style-mixing regularisation), otherwise one z broadcast to every layer.
    /// </summary>
    Tensor MixedLatents(int batch)
    {
        using var scope = NewDisposeScope();
        bool mix = _o.Mixing > 0 && _random.NextDouble() < _o.Mixing;
        Tensor result;
        if (mix)
        {
            var w1 = G.Map(randn(batch, _o.StyleDim).to(_device));
            var w2 = G.Map(randn(batch, _o.StyleDim).to(_device));
            int inject = 1 + _random.Next(G.NLatent - 1);
            result = G.Mix(w1, w2, inject);
        }
        else result = G.Broadcast(G.Map(randn(batch, _o.StyleDim).to(_device)));
        return result.MoveToOuterDisposeScope();
    }

    public IReadOnlyDictionary<string, double> TrainStep(long step)
    {
        using var scope = NewDisposeScope();
        var losses = new Dictionary<string, double>();
        G.train(); D.train();
        var real = _data.NextBatch(_o.BatchSize, _o.Flip, _random, _device);

        // D: logistic loss on real vs generated (G frozen).
        SetRequiresGrad(G, false);
        SetRequiresGrad(D, true);
        Tensor fake;
        using (no_grad()) fake = G.Synthesize(MixedLatents(_o.BatchSize), null, randomizeNoise: true);
        var fakePred = D.forward(fake);
        var realPred = D.forward(real);
        var dLoss = StyleGanLosses.DiscriminatorLogistic(realPred, fakePred);
        _optD.ZeroGrad();
        dLoss.backward();
        StepIfFinite(_optD, D, dLoss);
        losses["d"] = dLoss.item<float>();
        losses["real_score"] = realPred.mean().item<float>();
        losses["fake_score"] = fakePred.mean().item<float>();

        if (_o.R1 > 0 && step % _o.DRegEvery == 0)
        {
            using var regScope = NewDisposeScope();
            var realGrad = real.detach().requires_grad_(true);
            var pred = D.forward(realGrad);
            var r1 = StyleGanLosses.R1(pred, realGrad);
            _optD.ZeroGrad();
            // The reference adds 0 * real_pred[0] so every D output takes part in the graph.
            (r1 * (_o.R1 / 2 * _o.DRegEvery) + pred[0] * 0).backward();
            StepIfFinite(_optD, D, r1);
            losses["r1"] = r1.item<float>();
        }

        // G: non-saturating loss through the frozen D.
        SetRequiresGrad(G, true);
        SetRequiresGrad(D, false);
        var gFake = G.Synthesize(MixedLatents(_o.BatchSize), null, randomizeNoise: true);
        var gLoss = StyleGanLosses.GeneratorNonSaturating(D.forward(gFake));
        _optG.ZeroGrad();
        gLoss.backward();
        StepIfFinite(_optG, G, gLoss);
        losses["g"] = gLoss.item<float>();

        if (_o.PathRegularize > 0 && step % _o.GRegEvery == 0)
        {
            using var regScope = NewDisposeScope();
            int pathBatch = Math.Max(1, _o.BatchSize / _o.PathBatchShrink);
            var latents = MixedLatents(pathBatch);
            var img = G.Synthesize(latents, null, randomizeNoise: true);
            var (penalty, mean, length) = StyleGanLosses.PathLength(img, latents, _meanPathLength);
            _meanPathLength = mean;
            _optG.ZeroGrad();
            (penalty * (_o.PathRegularize * _o.GRegEvery) + img[0, 0, 0, 0] * 0).backward();
            StepIfFinite(_optG, G, penalty);
            losses["path"] = penalty.item<float>();
            losses["path_length"] = length;
        }

        Accumulate(GEma, G, _o.EmaDecay);
        SetRequiresGrad(D, true);
        if (_skipped > 0) losses["skipped_updates"] = _skipped;
        // A skipped update's loss is not a number worth plotting (and the loop stops on non-finite losses).
        foreach (var key in losses.Where(kv => !double.IsFinite(kv.Value)).Select(kv => kv.Key).ToList()) losses.Remove(key);
        return losses;
    }

    /// <summary>Takes the optimiser step unless the loss or a gradient is not finite (<see cref="FiniteUpdate"/>); counts skips.</summary>
    void StepIfFinite(AdamOptimizer optimizer, nn.Module module, Tensor loss)
    {
        if (!FiniteUpdate.Step(optimizer, module, loss)) _skipped++;
    }

    /// <summary>ema = decay ema + (1 - decay) model, over parameters (the reference's accumulate).</summary>
    public static void Accumulate(Generator ema, Generator model, double decay)
    {
        using var noGrad = no_grad();
        var source = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in ema.named_parameters())
            p.mul_(decay).add_(source[name], 1 - decay);
    }

    static void SetRequiresGrad(nn.Module module, bool value)
    {
        foreach (var p in module.parameters()) p.requires_grad = value;
    }

    /// <summary>The schedule is constant for StyleGAN2 (the loop passes 1); scales both base rates.</summary>
    public void SetLearningRateFactor(double factor)
    {
        _optG.LearningRate = _o.LearningRate * _gRatio * factor;
        _optD.LearningRate = _o.LearningRate * _dRatio * factor;
    }

    public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata)
    {
        Checkpointing.AddModule(G, "g", tensors);
        Checkpointing.AddModule(D, "d", tensors);
        Checkpointing.AddModule(GEma, "g_ema", tensors);
        _optG.SaveState("g_optim", tensors, metadata);
        _optD.SaveState("d_optim", tensors, metadata);
        tensors["sample_z"] = _sampleZ;
        // rosinality's args (the Namespace its generator loader reads), then Atelier's own state.
        metadata["args.size"] = _o.Size.ToString(CultureInfo.InvariantCulture);
        metadata["args.latent"] = _o.StyleDim.ToString(CultureInfo.InvariantCulture);
        metadata["args.n_mlp"] = _o.NMlp.ToString(CultureInfo.InvariantCulture);
        metadata["args.channel_multiplier"] = _o.ChannelMultiplier.ToString(CultureInfo.InvariantCulture);
        metadata[OptionsKey] = JsonSerializer.Serialize(_o);
        metadata["mean_path_length"] = _meanPathLength.ToString("R", CultureInfo.InvariantCulture);
        metadata["skipped_updates"] = _skipped.ToString(CultureInfo.InvariantCulture);
        metadata["random"] = _random.SaveState();
        metadata["data"] = _data.SaveState();
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Checkpointing.LoadModule(G, "g", tensors);
        Checkpointing.LoadModule(D, "d", tensors);
        Checkpointing.LoadModule(GEma, "g_ema", tensors);
        _optG.LoadState("g_optim", tensors, metadata);
        _optD.LoadState("d_optim", tensors, metadata);
        using (no_grad()) _sampleZ.copy_(Checkpointing.Require(tensors, "sample_z", _sampleZ.shape));
        _meanPathLength = double.Parse(Checkpointing.Require(metadata, "mean_path_length"), CultureInfo.InvariantCulture);
        _skipped = metadata.TryGetValue("skipped_updates", out var skipped) ? long.Parse(skipped, CultureInfo.InvariantCulture) : 0;
        _random.LoadState(Checkpointing.Require(metadata, "random"));
        _data.LoadState(Checkpointing.Require(metadata, "data"));
    }

    /// <summary>The options a run checkpoint was trained with (to resume it).</summary>
    public static StyleGanTrainingOptions ReadOptions(string checkpointPath)
    {
        using var content = Checkpointing.Load(checkpointPath);
        var json = Checkpointing.Require(content.Metadata, OptionsKey);
        return JsonSerializer.Deserialize<StyleGanTrainingOptions>(json)
            ?? throw new AtelierException($"{checkpointPath}: unreadable {OptionsKey}");
    }

    /// <summary>Held-out real pictures, prepared as the training images (centred square at the model size): g_ema's samples are scored as a set against them.</summary>
    public HeldOutData LoadHeldOut(string folder, int maxImages, Action<string>? warn)
    {
        var refs = Translation.TranslationData.ImagesIn(folder).Take(maxImages).Select(f => ImageFolderDataset.Prepare(ImageIO.Load(f), _o.Size)).ToList();
        return new HeldOutData(HeldOutFigures.Sets, [], refs);
    }

    /// <summary>As many g_ema samples as references, from z of a fixed seed (its own generator: torch's random state is untouched) and the stored noise.</summary>
    public IReadOnlyList<Image> Produce(HeldOutData data)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var seeded = new TorchSharp.torch.Generator(unchecked((ulong)_o.Seed) + 1, CPU);
        var z = randn([data.References.Count, _o.StyleDim], generator: seeded).to(_device);
        var images = GEma.Synthesize(GEma.Map(z)).cpu().clamp(-1, 1);
        return ImageTensors.FromBatch(images, ValueRange.MinusOneOne);
    }

    /// <summary>The g_ema's images of the fixed sample z (stored noise), in a near-square grid.</summary>
    public (IReadOnlyList<(Image Image, string? Caption)> Cells, int Columns) Samples()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = GEma.Synthesize(GEma.Map(_sampleZ)).cpu().clamp(-1, 1);
        var cells = ImageTensors.FromBatch(images, ValueRange.MinusOneOne).Select(im => (im, (string?)null)).ToList();
        return (cells, (int)Math.Ceiling(Math.Sqrt(cells.Count)));
    }

    public void Dispose()
    {
        _optG.Dispose();
        _optD.Dispose();
        _sampleZ.Dispose();
        G.Dispose(); D.Dispose(); GEma.Dispose();
    }
}
