using System.Globalization;
using Atelier.Imaging;
using Atelier.Quality;
using Atelier.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Translation;

/// <summary>Pix2Pix settings; defaults are the reference's (unet_256, basic D, batch norm, vanilla GAN, L1 x 100, Adam 2e-4 / 0.5).</summary>
public sealed record Pix2PixOptions
{
    public string Generator { get; init; } = "unet_256";
    public string Discriminator { get; init; } = "basic";
    public int NLayersD { get; init; } = 3;
    public long Ngf { get; init; } = 64;
    public long Ndf { get; init; } = 64;
    public NormKind Norm { get; init; } = NormKind.Batch;
    public bool Dropout { get; init; } = true;
    public GanMode GanMode { get; init; } = GanMode.Vanilla;
    public double LambdaL1 { get; init; } = 100;
    public double LearningRate { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public InitKind Init { get; init; } = InitKind.Normal;
    public double InitGain { get; init; } = 0.02;
    public int LoadSize { get; init; } = 286;
    public int CropSize { get; init; } = 256;
    public bool Flip { get; init; } = true;
    public int BatchSize { get; init; } = 1;
    public long Seed { get; init; } = 0;
    /// <summary>Which side of the pairs is the input (the training data's; held-out pairs are read the same way).</summary>
    public Direction Direction { get; init; } = Direction.AtoB;
}

/// <summary>
/// Pix2Pix (Isola et al.) as the reference trains it: D on (input, output) pairs with loss 0.5 (real + fake),
/// then G with the conditional GAN loss + lambda_L1 * L1 to the target.
/// </summary>
public sealed class Pix2PixTrainer : ITrainable, IHeldOutScoring
{
    readonly Pix2PixOptions _o;
    readonly List<ImagePair> _data;
    readonly TrainingRandom _random;
    readonly int[] _order;
    int _cursor;
    public GeneratorSpec GSpec { get; }
    public nn.Module<Tensor, Tensor> G { get; }
    public nn.Module<Tensor, Tensor> D { get; }
    readonly AdamOptimizer _optG, _optD;
    readonly Device _device;

    public string Kind => "pix2pix";

    public Pix2PixTrainer(List<ImagePair> data, Pix2PixOptions o, Device? device = null)
    {
        if (data.Count == 0) throw new AtelierException("pix2pix needs at least one training pair");
        AdamSettings.Validate(o.LearningRate, o.Beta1);
        TranslationSettings.Validate(o.LoadSize, o.CropSize, o.Ngf, o.Ndf);
        _o = o; _data = data; _device = device ?? CPU;
        GSpec = GeneratorSpec.Parse(o.Generator, o.Ngf, 3, 3, o.Norm, o.Dropout);
        if (o.CropSize % GSpec.Multiple != 0)
            throw new AtelierUsageException($"{{CropSize}} {o.CropSize}: {GSpec.Name} needs a multiple of {GSpec.Multiple}");
        torch.manual_seed(o.Seed);
        _random = new TrainingRandom(o.Seed);
        G = GSpec.Build().to(_device);
        D = DiscriminatorSpec.Parse(o.Discriminator, o.Ndf, 6, o.Norm, o.NLayersD).Build().to(_device);
        WeightInit.Apply(G, o.Init, o.InitGain);
        WeightInit.Apply(D, o.Init, o.InitGain);
        _optG = new AdamOptimizer(G.named_parameters(), o.LearningRate, o.Beta1);
        _optD = new AdamOptimizer(D.named_parameters(), o.LearningRate, o.Beta1);
        _order = Enumerable.Range(0, data.Count).ToArray();
        _cursor = _order.Length; // shuffle on first use
    }

    (Tensor A, Tensor B) NextBatch()
    {
        var a = new List<Image>(); var b = new List<Image>();
        for (int i = 0; i < _o.BatchSize; i++)
        {
            if (_cursor >= _order.Length) { _random.Shuffle(_order); _cursor = 0; }
            var p = _data[_order[_cursor++]];
            var (x, y) = TranslationData.Augment(p.A, p.B, _o.LoadSize, _o.CropSize, _o.Flip, _random);
            a.Add(x); b.Add(y);
        }
        return (ImageTensors.ToTensor(a, ValueRange.MinusOneOne, _device), ImageTensors.ToTensor(b, ValueRange.MinusOneOne, _device));
    }

    public IReadOnlyDictionary<string, double> TrainStep(long step)
    {
        using var scope = NewDisposeScope();
        G.train(); D.train();
        var (realA, realB) = NextBatch();
        var fakeB = G.forward(realA);

        // D: real pairs towards 1, fake pairs (G detached) towards 0.
        SetRequiresGrad(D, true);
        _optD.ZeroGrad();
        var predFake = D.forward(cat([realA, fakeB.detach()], 1));
        var lossDFake = GanLoss.Loss(_o.GanMode, predFake, false);
        var predReal = D.forward(cat([realA, realB], 1));
        var lossDReal = GanLoss.Loss(_o.GanMode, predReal, true);
        var lossD = (lossDFake + lossDReal) * 0.5;
        if (_o.GanMode == GanMode.Wgangp)
            lossD = lossD + GanLoss.GradientPenalty(D, cat([realA, realB], 1), cat([realA, fakeB.detach()], 1));
        lossD.backward();
        _optD.Step();

        // G: fool D, and stay close to the target in L1.
        SetRequiresGrad(D, false);
        _optG.ZeroGrad();
        var lossGGan = GanLoss.Loss(_o.GanMode, D.forward(cat([realA, fakeB], 1)), true);
        var lossL1 = nn.functional.l1_loss(fakeB, realB) * _o.LambdaL1;
        var lossG = lossGGan + lossL1;
        lossG.backward();
        _optG.Step();

        return new Dictionary<string, double>
        {
            ["G_GAN"] = lossGGan.item<float>(), ["G_L1"] = lossL1.item<float>(),
            ["D_real"] = lossDReal.item<float>(), ["D_fake"] = lossDFake.item<float>(),
        };
    }

    internal static void SetRequiresGrad(nn.Module m, bool value)
    {
        foreach (var p in m.parameters()) p.requires_grad = value;
    }

    public void SetLearningRateFactor(double factor)
    {
        _optG.LearningRate = _o.LearningRate * factor;
        _optD.LearningRate = _o.LearningRate * factor;
    }

    public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata)
    {
        Checkpointing.AddModule(G, "G", tensors);
        Checkpointing.AddModule(D, "D", tensors);
        _optG.SaveState("optimizer_G", tensors, metadata);
        _optD.SaveState("optimizer_D", tensors, metadata);
        metadata["random"] = _random.SaveState();
        metadata["order"] = string.Join(",", _order);
        metadata["cursor"] = _cursor.ToString(CultureInfo.InvariantCulture);
        metadata["G.arch"] = GSpec.ToString();
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Checkpointing.LoadModule(G, "G", tensors);
        Checkpointing.LoadModule(D, "D", tensors);
        _optG.LoadState("optimizer_G", tensors, metadata);
        _optD.LoadState("optimizer_D", tensors, metadata);
        _random.LoadState(Checkpointing.Require(metadata, "random"));
        var order = Checkpointing.Require(metadata, "order").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (order.Length != _order.Length) throw new AtelierException($"the checkpoint was trained on {order.Length} pairs; this data has {_order.Length}");
        order.CopyTo(_order, 0);
        _cursor = int.Parse(Checkpointing.Require(metadata, "cursor"), CultureInfo.InvariantCulture);
    }

    /// <summary>Input, output and target for the first few pairs (center crops), G as it trains (train mode, state kept).</summary>
    public (IReadOnlyList<(Image Image, string? Caption)> Cells, int Columns) Samples()
    {
        var cells = new List<(Image, string?)>();
        foreach (var p in _data.Take(4))
        {
            var a = ImageOps.CenterCrop(ImageResize.Resize(ImageOps.ToRgb(p.A), _o.CropSize, _o.CropSize), _o.CropSize, _o.CropSize);
            var b = ImageResize.Resize(ImageOps.ToRgb(p.B), _o.CropSize, _o.CropSize);
            cells.Add((a, "input"));
            cells.Add((Evaluate(G, a, _device), "output"));
            cells.Add((b, "target"));
        }
        return (cells, 3);
    }

    /// <summary>Held-out aligned pairs (the folder's test/ when it has one), inputs and targets resized to the crop size.</summary>
    public HeldOutData LoadHeldOut(string folder, int maxImages, Action<string>? warn)
    {
        var dir = Directory.Exists(Path.Combine(folder, "test")) ? Path.Combine(folder, "test") : folder;
        var pairs = TranslationData.LoadAligned(dir, _o.Direction, warn).Take(maxImages).ToList();
        Image Square(Image im) => ImageResize.Resize(ImageOps.ToRgb(im), _o.CropSize, _o.CropSize);
        return new HeldOutData(HeldOutFigures.Pairs, pairs.Select(p => Square(p.A)).ToList(), pairs.Select(p => Square(p.B)).ToList());
    }

    /// <summary>G's eval-mode outputs (running batch-norm statistics, no dropout), as `pix2pix test --eval` scores them.</summary>
    public IReadOnlyList<Image> Produce(HeldOutData data)
    {
        G.eval();
        try { return data.Inputs.Select(x => Evaluate(G, x, _device)).ToList(); }
        finally { G.train(); }
    }

    /// <summary>G's output for one image in train mode without touching training state (BN buffers, torch RNG).</summary>
    public static Image Evaluate(nn.Module<Tensor, Tensor> g, Image input, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var buffers = g.named_buffers().Select(kv => (kv.Item2, kv.Item2.clone())).ToList();
        using var rng = torch.get_rng_state();
        var y = g.forward(ImageTensors.ToTensor(input, ValueRange.MinusOneOne, device));
        foreach (var (t, saved) in buffers) t.copy_(saved);
        torch.set_rng_state(rng);
        return ImageTensors.FromTensor(y, ValueRange.MinusOneOne);
    }

    static readonly MeanAbsoluteError L1 = new();
    static readonly PeakSignalToNoiseRatio Psnr = new();

    /// <summary>Mean L1 (in [0,1] units) and PSNR (the per-pair mean; +∞ if an output is exact) of G's eval-mode outputs against the targets.</summary>
    public static (double L1, double Psnr) Score(nn.Module<Tensor, Tensor> g, IEnumerable<ImagePair> pairs, int size, Device? device = null, bool evalMode = true)
    {
        double l1 = 0, psnr = 0; int n = 0;
        foreach (var p in pairs)
        {
            var a = ImageResize.Resize(ImageOps.ToRgb(p.A), size, size);
            var b = ImageResize.Resize(ImageOps.ToRgb(p.B), size, size);
            if (evalMode) g.eval(); else g.train();
            var y = Evaluate(g, a, device ?? CPU);
            l1 += L1.Compare(y, b);
            psnr += Psnr.Compare(y, b);
            n++;
        }
        g.train();
        return n == 0 ? (double.NaN, double.NaN) : (l1 / n, psnr / n);
    }

    /// <summary>
    /// What a generator must beat: L1 and PSNR (as <see cref="Score"/>) of one flat picture for every pair, painted in
    /// the mean colour of <paramref name="colourFrom"/>'s targets: the training pairs' for the honest baseline (what a
    /// generator blind to its input would learn), or by default the scored pairs' own (a baseline that knows the
    /// held-out set's average colour, so harder to beat).
    /// </summary>
    public static (double L1, double Psnr) MeanColourBaseline(IEnumerable<ImagePair> pairs, int size, IEnumerable<ImagePair>? colourFrom = null)
    {
        var targets = pairs.Select(p => ImageResize.Resize(ImageOps.ToRgb(p.B), size, size)).ToList();
        if (targets.Count == 0) return (double.NaN, double.NaN);
        var flat = new Image(size, size, 3);
        var mean = new double[3];
        long n = 0;
        foreach (var t in colourFrom is null ? targets : colourFrom.Select(p => ImageOps.ToRgb(p.B)))
        {
            for (int c = 0; c < 3; c++) foreach (var v in t.Plane(c)) mean[c] += v;
            n += t.PlaneSize;
        }
        if (n == 0) throw new AtelierException("the baseline's colour pairs hold no pictures");
        for (int c = 0; c < 3; c++) flat.Plane(c).Fill((float)(mean[c] / n));
        return (targets.Average(t => L1.Compare(flat, t)), targets.Average(t => Psnr.Compare(flat, t)));
    }

    public void Dispose()
    {
        G.Dispose(); D.Dispose(); _optG.Dispose(); _optD.Dispose();
    }
}
