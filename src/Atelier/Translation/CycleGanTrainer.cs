using System.Globalization;
using Atelier.Imaging;
using Atelier.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Translation;

/// <summary>CycleGAN settings; defaults are the reference's (resnet_9blocks, instance norm, LSGAN, lambda 10, identity 0.5, pool 50).</summary>
public sealed record CycleGanOptions
{
    public string Generator { get; init; } = "resnet_9blocks";
    public string Discriminator { get; init; } = "basic";
    public int NLayersD { get; init; } = 3;
    public long Ngf { get; init; } = 64;
    public long Ndf { get; init; } = 64;
    public NormKind Norm { get; init; } = NormKind.Instance;
    public bool Dropout { get; init; } = false;
    public GanMode GanMode { get; init; } = GanMode.Lsgan;
    public double LambdaA { get; init; } = 10;
    public double LambdaB { get; init; } = 10;
    public double LambdaIdentity { get; init; } = 0.5;
    public int PoolSize { get; init; } = 50;
    public double LearningRate { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public InitKind Init { get; init; } = InitKind.Normal;
    public double InitGain { get; init; } = 0.02;
    public int LoadSize { get; init; } = 286;
    public int CropSize { get; init; } = 256;
    public bool Flip { get; init; } = true;
    public int BatchSize { get; init; } = 1;
    public long Seed { get; init; } = 0;
    /// <summary>
    /// Share of the cycle loss measured on VGG features instead of pixels: the cycle term is
    /// lambda * ((1 - w) |F(G(x)) - x| + w |vgg(F(G(x))) - vgg(x)|). 0: the reference's pixel cycle; 1: features only,
    /// a looser constraint that lets G change shapes and textures the pixel cycle would pin down.
    /// </summary>
    public double FeatureCycle { get; init; } = 0;
    /// <summary>The VGG layer whose activations the feature cycle compares.</summary>
    public string FeatureLayer { get; init; } = "relu3_1";
    /// <summary>VGG weights for the feature cycle (torchvision vgg16/vgg19 state dict); null: the built-in seeded VGG-19.</summary>
    public string? VggPath { get; init; }
}

/// <summary>
/// CycleGAN (Zhu et al.) as the reference trains it: G_A: A to B and G_B: B to A, each judged by its
/// discriminator (D_A on domain B, D_B on domain A) through a 50-image pool, with cycle losses
/// lambda * |G_B(G_A(a)) - a| and the reverse, and identity losses 0.5 * lambda * |G_A(b) - b| and the reverse.
/// </summary>
public sealed class CycleGanTrainer : ITrainable, IHeldOutScoring
{
    readonly CycleGanOptions _o;
    readonly List<Image> _a, _b;
    readonly TrainingRandom _random;
    readonly ImagePool _poolA, _poolB;
    readonly Device _device;
    readonly AdamOptimizer _optG, _optD;
    int _index;
    readonly Networks.Vgg? _vgg;
    readonly bool _ownsVgg;
    public GeneratorSpec GSpec { get; }
    public nn.Module<Tensor, Tensor> GA { get; }
    public nn.Module<Tensor, Tensor> GB { get; }
    public nn.Module<Tensor, Tensor> DA { get; }
    public nn.Module<Tensor, Tensor> DB { get; }

    public string Kind => "cyclegan";

    /// <param name="featureNetwork">The VGG for <see cref="CycleGanOptions.FeatureCycle"/> (kept by the caller); when null and
    /// the feature cycle is on, it is loaded from <see cref="CycleGanOptions.VggPath"/> or built in.</param>
    public CycleGanTrainer(List<Image> domainA, List<Image> domainB, CycleGanOptions o, Device? device = null, Networks.Vgg? featureNetwork = null)
    {
        if (o.FeatureCycle is < 0 or > 1) throw new AtelierUsageException($"{{FeatureCycle}} {o.FeatureCycle}: must be between 0 and 1");
        AdamSettings.Validate(o.LearningRate, o.Beta1);
        TranslationSettings.Validate(o.LoadSize, o.CropSize, o.Ngf, o.Ndf);
        if (domainA.Count == 0 || domainB.Count == 0) throw new AtelierException("CycleGAN needs images in both domains");
        _o = o; _a = domainA; _b = domainB; _device = device ?? CPU;
        GSpec = GeneratorSpec.Parse(o.Generator, o.Ngf, 3, 3, o.Norm, o.Dropout);
        if (o.CropSize % GSpec.Multiple != 0)
            throw new AtelierUsageException($"{{CropSize}} {o.CropSize}: {GSpec.Name} needs a multiple of {GSpec.Multiple}");
        torch.manual_seed(o.Seed);
        _random = new TrainingRandom(o.Seed);
        var dSpec = DiscriminatorSpec.Parse(o.Discriminator, o.Ndf, 3, o.Norm, o.NLayersD);
        GA = GSpec.Build().to(_device); GB = GSpec.Build().to(_device);
        DA = dSpec.Build().to(_device); DB = dSpec.Build().to(_device);
        foreach (var m in new[] { GA, GB, DA, DB }) WeightInit.Apply(m, o.Init, o.InitGain);
        _optG = new AdamOptimizer(GA.named_parameters().Select(p => ("G_A." + p.name, p.parameter))
            .Concat(GB.named_parameters().Select(p => ("G_B." + p.name, p.parameter))), o.LearningRate, o.Beta1);
        _optD = new AdamOptimizer(DA.named_parameters().Select(p => ("D_A." + p.name, p.parameter))
            .Concat(DB.named_parameters().Select(p => ("D_B." + p.name, p.parameter))), o.LearningRate, o.Beta1);
        _poolA = new ImagePool(o.PoolSize);
        _poolB = new ImagePool(o.PoolSize);
        if (o.FeatureCycle > 0)
        {
            if (!Networks.Vgg.IsLayerName(o.FeatureLayer)) throw new AtelierUsageException($"{{FeatureLayer}} {o.FeatureLayer}: expected a VGG layer such as relu2_1 or relu3_1");
            // Built after the networks' init so torch's generator draws the same weights with or without it.
            _vgg = featureNetwork ?? (o.VggPath != null ? Networks.Vgg.Load(o.VggPath) : Networks.Vgg.BuiltIn(upToLayer: o.FeatureLayer));
            _ownsVgg = featureNetwork is null;
            _vgg.to(_device);
        }
    }

    /// <summary>
    /// Mean absolute difference of <paramref name="vgg"/>'s <paramref name="layer"/> activations for two batches in
    /// [-1, 1] (the VGG takes [0, 1] and normalises inside). Differentiable in both.
    /// </summary>
    public static Tensor FeatureDistance(Networks.Vgg vgg, string layer, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        string[] layers = [layer];
        var fx = vgg.Features((x + 1) * 0.5, layers)[layer];
        var fy = vgg.Features((y + 1) * 0.5, layers)[layer];
        return nn.functional.l1_loss(fy, fx).MoveToOuterDisposeScope();
    }

    /// <summary>lambda * the cycle distance between an image and its reconstruction (pixels, features, or a mix).</summary>
    Tensor Cycle(Tensor reconstructed, Tensor real, double lambda, out double featurePart)
    {
        featurePart = 0;
        var pixel = nn.functional.l1_loss(reconstructed, real);
        if (_vgg is null) return pixel * lambda;
        var feature = FeatureDistance(_vgg, _o.FeatureLayer, real, reconstructed);
        featurePart = feature.item<float>() * lambda * _o.FeatureCycle;
        return (pixel * (1 - _o.FeatureCycle) + feature * _o.FeatureCycle) * lambda;
    }

    (Tensor A, Tensor B) NextBatch()
    {
        var a = new List<Image>(); var b = new List<Image>();
        for (int i = 0; i < _o.BatchSize; i++)
        {
            // The reference walks A in order and draws B at random (unaligned).
            a.Add(TranslationData.Augment(_a[_index++ % _a.Count], _o.LoadSize, _o.CropSize, _o.Flip, _random));
            b.Add(TranslationData.Augment(_b[_random.Next(_b.Count)], _o.LoadSize, _o.CropSize, _o.Flip, _random));
        }
        return (ImageTensors.ToTensor(a, ValueRange.MinusOneOne, _device), ImageTensors.ToTensor(b, ValueRange.MinusOneOne, _device));
    }

    public IReadOnlyDictionary<string, double> TrainStep(long step)
    {
        using var scope = NewDisposeScope();
        foreach (var m in new[] { GA, GB, DA, DB }) m.train();
        var (realA, realB) = NextBatch();
        var fakeB = GA.forward(realA);
        var recA = GB.forward(fakeB);
        var fakeA = GB.forward(realB);
        var recB = GA.forward(fakeA);

        // Generators, with the discriminators frozen.
        Pix2PixTrainer.SetRequiresGrad(DA, false);
        Pix2PixTrainer.SetRequiresGrad(DB, false);
        _optG.ZeroGrad();
        Tensor idtA = zeros(1), idtB = zeros(1);
        if (_o.LambdaIdentity > 0)
        {
            idtA = nn.functional.l1_loss(GA.forward(realB), realB) * (_o.LambdaB * _o.LambdaIdentity);
            idtB = nn.functional.l1_loss(GB.forward(realA), realA) * (_o.LambdaA * _o.LambdaIdentity);
        }
        var gA = GanLoss.Loss(_o.GanMode, DA.forward(fakeB), true);
        var gB = GanLoss.Loss(_o.GanMode, DB.forward(fakeA), true);
        var cycleA = Cycle(recA, realA, _o.LambdaA, out var featA);
        var cycleB = Cycle(recB, realB, _o.LambdaB, out var featB);
        var lossG = gA + gB + cycleA + cycleB + idtA + idtB;
        lossG.backward();
        _optG.Step();

        // Discriminators, on pooled fakes.
        Pix2PixTrainer.SetRequiresGrad(DA, true);
        Pix2PixTrainer.SetRequiresGrad(DB, true);
        _optD.ZeroGrad();
        var dA = BackwardD(DA, realB, _poolB.Query(fakeB, _random));
        var dB = BackwardD(DB, realA, _poolA.Query(fakeA, _random));
        _optD.Step();

        var losses = new Dictionary<string, double>
        {
            ["D_A"] = dA, ["G_A"] = gA.item<float>(), ["cycle_A"] = cycleA.item<float>(), ["idt_A"] = idtA.item<float>(),
            ["D_B"] = dB, ["G_B"] = gB.item<float>(), ["cycle_B"] = cycleB.item<float>(), ["idt_B"] = idtB.item<float>(),
        };
        if (_vgg != null) { losses["cycle_feat_A"] = featA; losses["cycle_feat_B"] = featB; }
        return losses;
    }

    double BackwardD(nn.Module<Tensor, Tensor> d, Tensor real, Tensor fake)
    {
        using var scope = NewDisposeScope();
        var loss = (GanLoss.Loss(_o.GanMode, d.forward(real), true) + GanLoss.Loss(_o.GanMode, d.forward(fake.detach()), false)) * 0.5;
        if (_o.GanMode == GanMode.Wgangp) loss = loss + GanLoss.GradientPenalty(d, real, fake);
        loss.backward();
        return loss.item<float>();
    }

    public void SetLearningRateFactor(double factor)
    {
        _optG.LearningRate = _o.LearningRate * factor;
        _optD.LearningRate = _o.LearningRate * factor;
    }

    public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata)
    {
        Checkpointing.AddModule(GA, "G_A", tensors); Checkpointing.AddModule(GB, "G_B", tensors);
        Checkpointing.AddModule(DA, "D_A", tensors); Checkpointing.AddModule(DB, "D_B", tensors);
        _optG.SaveState("optimizer_G", tensors, metadata);
        _optD.SaveState("optimizer_D", tensors, metadata);
        _poolA.SaveState("pool_A", tensors, metadata);
        _poolB.SaveState("pool_B", tensors, metadata);
        metadata["random"] = _random.SaveState();
        metadata["index"] = _index.ToString(CultureInfo.InvariantCulture);
        metadata["G.arch"] = GSpec.ToString();
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Checkpointing.LoadModule(GA, "G_A", tensors); Checkpointing.LoadModule(GB, "G_B", tensors);
        Checkpointing.LoadModule(DA, "D_A", tensors); Checkpointing.LoadModule(DB, "D_B", tensors);
        _optG.LoadState("optimizer_G", tensors, metadata);
        _optD.LoadState("optimizer_D", tensors, metadata);
        _poolA.LoadState("pool_A", tensors, metadata);
        _poolB.LoadState("pool_B", tensors, metadata);
        _random.LoadState(Checkpointing.Require(metadata, "random"));
        _index = int.Parse(Checkpointing.Require(metadata, "index"), CultureInfo.InvariantCulture);
    }

    /// <summary>Held-out domains (testA/ and testB/, else A/ and B/), resized to the crop size: G_A's outputs are scored as a set against B.</summary>
    public HeldOutData LoadHeldOut(string folder, int maxImages, Action<string>? warn)
    {
        var (a, b) = TranslationData.LoadUnaligned(folder, warn, split: "test");
        Image Square(Image im) => ImageResize.Resize(ImageOps.ToRgb(im), _o.CropSize, _o.CropSize);
        return new HeldOutData(HeldOutFigures.Sets, a.Take(maxImages).Select(Square).ToList(), b.Take(maxImages).Select(Square).ToList());
    }

    /// <summary>G_A's eval-mode outputs for the held-out A pictures.</summary>
    public IReadOnlyList<Image> Produce(HeldOutData data)
    {
        GA.eval();
        try { return data.Inputs.Select(x => Pix2PixTrainer.Evaluate(GA, x, _device)).ToList(); }
        finally { GA.train(); }
    }

    /// <summary>real A, G_A(A), G_B(G_A(A)), real B, G_B(B), G_A(G_B(B)) for the first images.</summary>
    public (IReadOnlyList<(Image Image, string? Caption)> Cells, int Columns) Samples()
    {
        var cells = new List<(Image, string?)>();
        for (int i = 0; i < Math.Min(2, Math.Min(_a.Count, _b.Count)); i++)
        {
            var a = ImageResize.Resize(ImageOps.ToRgb(_a[i]), _o.CropSize, _o.CropSize);
            var b = ImageResize.Resize(ImageOps.ToRgb(_b[i]), _o.CropSize, _o.CropSize);
            var fb = Pix2PixTrainer.Evaluate(GA, a, _device);
            var fa = Pix2PixTrainer.Evaluate(GB, b, _device);
            cells.Add((a, "real A")); cells.Add((fb, "A to B")); cells.Add((Pix2PixTrainer.Evaluate(GB, fb, _device), "back to A"));
            cells.Add((b, "real B")); cells.Add((fa, "B to A")); cells.Add((Pix2PixTrainer.Evaluate(GA, fa, _device), "back to B"));
        }
        return (cells, 6);
    }

    public void Dispose()
    {
        foreach (var m in new[] { GA, GB, DA, DB }) m.Dispose();
        _optG.Dispose(); _optD.Dispose(); _poolA.Dispose(); _poolB.Dispose();
        if (_ownsVgg) _vgg?.Dispose();
    }
}
