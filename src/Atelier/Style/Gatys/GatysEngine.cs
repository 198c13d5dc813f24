using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// The loss of one optimisation scale: Gram targets (already mixed over style images), content targets, weights.
/// Owns its target tensors. With <see cref="Wrap"/> the network pads circularly and the smoothness term crosses the
/// image's edges (a tileable texture). Tiled refinement evaluates tiles against the same Gram targets, each with
/// content targets of its own (<see cref="ContentTargetsOf"/>).
/// </summary>
internal sealed class GatysObjective : IDisposable
{
    readonly FeatureNetwork _vgg;
    readonly ActivationSmoothing _smoothing;
    readonly string[] _styleLayers, _contentLayers, _allLayers;
    readonly double[] _layerWeights;
    readonly Tensor[] _styleTargets;

    /// <summary>The mixed normalised Gram targets, one per style layer (for tests).</summary>
    internal IReadOnlyList<Tensor> StyleTargets => _styleTargets;
    readonly Tensor[] _contentTargets;
    readonly double _styleWeight, _contentWeight, _tvWeight;

    /// <summary>Whether the whole image is seen as one tile of a periodic plane (circular padding).</summary>
    public bool Wrap { get; }

    /// <summary>The layers the loss reads, for memory estimates.</summary>
    public IReadOnlyList<string> Layers => _allLayers;

    /// <param name="options">Options resolved for the network (<see cref="GatysOptimizationOptions.ResolveFor"/>).</param>
    /// <param name="content">The content image at this scale; null for a texture, or when tiles bring their own targets.</param>
    /// <param name="maxPassPixels">
    /// The most pixels one pass of the network may see (a tiled scale's tile); a larger style image's Grams are summed
    /// over tiles (<see cref="TiledGramTargets"/>). Null: one pass, whatever the size.
    /// </param>
    public GatysObjective(FeatureNetwork vgg, GatysOptimizationOptions options, IReadOnlyList<(Tensor Image, double Weight)> styles,
                          IReadOnlyList<string> contentLayers, Tensor? content, double contentWeight, bool wrap = false, long? maxPassPixels = null)
    {
        _vgg = vgg;
        Wrap = wrap;
        _smoothing = options.Smoothing ?? ActivationSmoothing.None;
        _styleLayers = [.. options.StyleLayers ?? throw new ArgumentException("options must be resolved for the network", nameof(options))];
        _layerWeights = options.StyleLayerWeights is { } w ? [.. w] : [.. _styleLayers.Select(_ => 1.0 / _styleLayers.Length)];
        _contentLayers = [.. contentLayers];
        _allLayers = [.. _styleLayers.Concat(_contentLayers).Distinct()];
        _styleWeight = options.StyleWeight ?? 1; _contentWeight = contentWeight; _tvWeight = options.TvWeight ?? 0;

        using var _ = no_grad();
        double totalWeight = styles.Sum(s => s.Weight);
        _styleTargets = new Tensor[_styleLayers.Length];
        foreach (var (image, weight) in styles)
        {
            using var scope = NewDisposeScope();
            // A style image larger than a pass may hold (a 2048 px style took 0.8 GB in one pass, above any tile the
            // budget allowed) has its Grams summed tile by tile.
            var grams = maxPassPixels is long limit && image.shape[2] * image.shape[3] > limit && !wrap && _smoothing == ActivationSmoothing.None
                ? TiledGramTargets.Compute(vgg, image, _styleLayers, limit)
                : OnePassGrams(image, wrap);
            for (int i = 0; i < _styleLayers.Length; i++)
            {
                // Weighted average of the normalised Grams: mixing styles of any sizes.
                var g = grams[i].mul(weight / totalWeight);
                _styleTargets[i] = _styleTargets[i] is null ? g.MoveToOuterDisposeScope() : _styleTargets[i].add_(g);
            }
        }
        _contentTargets = content is null ? [] : ContentTargetsOf(content, wrap);
    }

    Tensor[] OnePassGrams(Tensor image, bool wrap)
    {
        var f = _vgg.Features(image, _styleLayers, wrap);
        return [.. _styleLayers.Select(l => GramMatrix.Normalised(GatysLosses.Smooth(f[l], _smoothing)))];
    }

    /// <summary>The content targets of <paramref name="content"/> (the whole content image, or a tile of it), as the loss compares them.</summary>
    public Tensor[] ContentTargetsOf(Tensor content, bool wrap = false)
    {
        var targets = new Tensor[_contentLayers.Length];
        if (_contentLayers.Length == 0) return targets;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var f = _vgg.Features(content, _contentLayers, wrap);
        for (int i = 0; i < _contentLayers.Length; i++) targets[i] = GatysLosses.Smooth(f[_contentLayers[i]], _smoothing).detach().MoveToOuterDisposeScope();
        return targets;
    }

    /// <summary>The total loss (a scalar with a graph back to <paramref name="image"/>) and its parts as numbers.</summary>
    public Tensor Evaluate(Tensor image, Dictionary<string, double> parts) => Evaluate(image, parts, _contentTargets, Wrap);

    /// <summary>The loss of <paramref name="image"/> (the whole image or a tile) against the shared Gram targets and <paramref name="contentTargets"/>.</summary>
    public Tensor Evaluate(Tensor image, Dictionary<string, double> parts, Tensor[] contentTargets, bool wrap)
    {
        var f = _vgg.Features(image, _allLayers, wrap);
        var style = zeros(1, device: image.device);
        for (int i = 0; i < _styleLayers.Length; i++)
        {
            var e = GatysLosses.StyleLayer(GramMatrix.Normalised(GatysLosses.Smooth(f[_styleLayers[i]], _smoothing)), _styleTargets[i]);
            style = style + e * _layerWeights[i];
        }
        var total = style * _styleWeight;
        parts["style"] = style.item<float>() * _styleWeight;
        if (_contentLayers.Length > 0 && contentTargets.Length > 0)
        {
            var content = zeros(1, device: image.device);
            for (int i = 0; i < _contentLayers.Length; i++)
                content = content + GatysLosses.Content(GatysLosses.Smooth(f[_contentLayers[i]], _smoothing), contentTargets[i]);
            total = total + content * _contentWeight;
            parts["content"] = content.item<float>() * _contentWeight;
        }
        if (_tvWeight > 0)
        {
            var tv = GatysLosses.TotalVariation(image, wrap);
            total = total + tv * _tvWeight;
            parts["tv"] = tv.item<float>() * _tvWeight;
        }
        total = total.sum();
        parts["loss"] = total.item<float>();
        return total;
    }

    public void Dispose()
    {
        foreach (var t in _styleTargets) t?.Dispose();
        foreach (var t in _contentTargets) t?.Dispose();
    }
}

/// <summary>The pixel optimisation loop shared by texture synthesis and style transfer.</summary>
internal static class GatysEngine
{
    /// <summary>
    /// Optimises the image from <paramref name="init"/> (1×3×H×W in [0,1]) for <paramref name="iterations"/> steps.
    /// Every step runs in its own dispose scope, so memory stays flat; the image is clamped to [0,1] after each step.
    /// Returns the image (a new tensor: with L-BFGS the best it visited, see below) and its losses.
    /// </summary>
    public static (Tensor Image, Dictionary<string, double> Losses) Optimize(
        Tensor init, GatysObjective objective, GatysOptimizationOptions options, int iterations,
        int stepOffset, int totalSteps, string stage, Func<Tensor, Image> toImage,
        IProgress<ProgressReport>? progress, CancellationToken ct)
    {
        var x = new Parameter(init.detach().clone(), requires_grad: true);
        using var optimizer = CreateOptimizer(x, options);
        var losses = new Dictionary<string, double>();
        // L-BFGS without a line search takes whole quasi-Newton steps, and the clamp to [0,1] after each one makes its
        // curvature pairs inexact: its loss jumps up now and then (it is part of how it runs: the second step of a level
        // overshoots by hundreds of times and comes back), and a late jump may not come back before the level ends
        // (measured: udnie at 64 px on an AVX2 machine, 3.5e5 to 8.3e7 twenty steps into the last level, 5.4e5 at its
        // end; a noisy texture). So the level ends on the best image it visited: the last one unless a later jump left
        // it worse, so a run that ends well is unchanged.
        bool guard = options.Optimizer == GatysOptimizer.Lbfgs;
        using var before = guard ? x.detach().clone() : null;
        using var best = guard ? x.detach().clone() : null;
        double bestLoss = double.PositiveInfinity;
        Dictionary<string, double>? bestLosses = null;
        try
        {
            for (int step = 1; step <= iterations; step++)
            {
                ct.ThrowIfCancellationRequested();
                if (guard) using (no_grad()) before!.copy_(x);
                using (var scope = NewDisposeScope())
                {
                    // The closure hands its result to native code (TorchSharp decouples the handle), which keeps
                    // it, and step returns it again: a loss with its autograd graph would keep every activation of
                    // the step alive (measured: +1.2 MB per step at 32 px). L-BFGS needs only the value, so the
                    // closure returns a detached copy, and the returned tensor is disposed here.
                    using var returned = optimizer.step(() =>
                    {
                        optimizer.zero_grad();
                        var loss = objective.Evaluate(x, losses);
                        loss.backward();
                        return loss.detach();
                    });
                    using (no_grad()) x.clamp_(0, 1);
                }
                if (!losses.Values.All(double.IsFinite))
                    throw new AtelierException($"the optimisation diverged at step {stepOffset + step} (loss {losses["loss"]}); lower the learning rate or the weights");
                // The losses are those of the image before this step.
                if (guard && losses["loss"] < bestLoss)
                {
                    bestLoss = losses["loss"];
                    bestLosses = new Dictionary<string, double>(losses);
                    using (no_grad()) best!.copy_(before!);
                }
                int global = stepOffset + step;
                progress?.Report(new ProgressReport(global, totalSteps, stage, new Dictionary<string, double>(losses)));
                if (options.SaveEvery > 0 && options.OnFrame is { } onFrame && global % options.SaveEvery == 0 && global < totalSteps)
                {
                    using var scope = NewDisposeScope();
                    onFrame(global, toImage(x.detach()));
                }
            }
            if (guard)
            {
                // The last step's image has not been scored yet: scored here, it stays unless an earlier one was better.
                var last = new Dictionary<string, double>();
                using (var scope = NewDisposeScope())
                using (no_grad()) objective.Evaluate(x, last);
                if (!(last["loss"] <= bestLoss)) return (best!.clone(), bestLosses!);
                losses = last;
            }
            var result = x.detach().clone();
            return (result, losses);
        }
        finally { x.Dispose(); }
    }

    static optim.Optimizer CreateOptimizer(Parameter x, GatysOptimizationOptions options) => options.Optimizer switch
    {
        // One L-BFGS iteration (one function evaluation) per step; the curvature history persists across steps.
        // Gradient and change tolerances 0: the step count is ours to decide; libtorch's defaults (1e-7, 1e-9) made
        // it stop silently when a small style weight gave small gradients.
        // Created with native stderr silenced: libtorch warns on every L-BFGS creation about an API of its own (NativeStderr).
        GatysOptimizer.Lbfgs => Runtime.NativeStderr.Silenced(() => (optim.Optimizer)optim.LBFGS([x], options.LearningRate ?? 1.0, 1, null, 0.0, 0.0, 100)),
        _ => optim.Adam([x], lr: options.LearningRate ?? 0.02),
    };

    /// <summary>
    /// Refuses sides no budget could hold before any work; whether the output fits the memory budget is the
    /// schedule's decision (<see cref="GatysPyramid.Plan"/>), which tiles the scales that do not fit whole.
    /// </summary>
    public static void CheckOutputSize(int width, int height, string parameter)
    {
        if (Math.Max(width, height) > Inference.SizePolicy.MaxSideLimit)
            throw new AtelierUsageException($"{{{parameter}}} {width}x{height}: Gatys optimisation takes sides up to {Inference.SizePolicy.MaxSideLimit} px");
    }

    /// <summary>Checks options shared by texture synthesis and style transfer, resolved for the network (messages name the option).</summary>
    public static void Validate(GatysOptimizationOptions o, FeatureNetwork vgg)
    {
        var layers = o.StyleLayers ?? [];
        if (layers.Count == 0) throw new AtelierUsageException("{StyleLayers}: at least one style layer is needed");
        foreach (var l in layers) CheckLayer(vgg, l, nameof(o.StyleLayers));
        if (o.StyleLayerWeights is { } w)
        {
            if (w.Count != layers.Count)
                throw new AtelierUsageException($"{{StyleLayerWeights}}: {w.Count} weights for {layers.Count} layers ({string.Join(", ", layers)})");
            if (w.Any(v => !(v >= 0)) || w.All(v => v == 0)) throw new AtelierUsageException("{StyleLayerWeights}: weights must be 0 or more, and not all 0");
        }
        if (o.Iterations < 1) throw new AtelierUsageException($"{{Iterations}} {o.Iterations}: must be 1 or more");
        if (o.StyleWeight is double sw && (!(sw > 0) || double.IsInfinity(sw))) throw new AtelierUsageException($"{{StyleWeight}} {sw}: must be a positive number");
        if (o.TvWeight is double tv && (!(tv >= 0) || double.IsInfinity(tv))) throw new AtelierUsageException($"{{TvWeight}} {tv}: must be 0 or more");
        if (o.LearningRate is double lr && (!(lr > 0) || !double.IsFinite(lr))) throw new AtelierUsageException($"{{LearningRate}} {lr}: must be a positive number");
        if (o.Scales is int sc && sc is < 1 or > 6) throw new AtelierUsageException($"{{Scales}} {o.Scales}: must be 1 to 6");
        if (o.SaveEvery < 0) throw new AtelierUsageException($"{{SaveEvery}} {o.SaveEvery}: must be 0 or more");
        if (o.MaxMemory is long mem && mem <= 0) throw new AtelierUsageException($"{{MaxMemory}} {mem}: must be positive");
        if (o.TileSize is int ts && (ts < 1 || ts > Inference.SizePolicy.MaxSideLimit)) throw new AtelierUsageException($"{{TileSize}} {ts}: must be between 1 and {Inference.SizePolicy.MaxSideLimit} px");
    }

    /// <param name="parameter">The options' property that holds the layer (StyleLayers, ContentLayers), named in the message.</param>
    public static void CheckLayer(FeatureNetwork vgg, string layer, string parameter)
    {
        if (vgg.LayerNames.Contains(layer)) return;
        if (vgg.IsLayerNameOfFamily(layer)) throw new AtelierUsageException($"{{{parameter}}}: layer '{layer}' is not in this network (it stops at {vgg.LastLayer})");
        if (vgg is Vgg)
            throw new AtelierUsageException($"{{{parameter}}}: unknown VGG layer '{layer}'; use names like relu1_1, relu4_2, conv3_1, pool2 ({vgg.LayerNameExamples})");
        throw new AtelierUsageException($"{{{parameter}}}: unknown layer '{layer}' for {vgg.Description}; its layers are {vgg.LayerNameExamples}");
    }

    /// <summary>Sizes of the coarse-to-fine scales, coarsest first, ending at (width, height).</summary>
    public static List<(int W, int H)> ScaleSizes(int width, int height, int scales)
    {
        var sizes = new List<(int, int)>();
        for (int s = scales - 1; s >= 0; s--)
            sizes.Add((Math.Max(16, width >> s), Math.Max(16, height >> s)));
        return sizes;
    }

    public static Tensor Resize(Tensor image, int width, int height)
    {
        if (image.shape[2] == height && image.shape[3] == width) return image.clone();
        return nn.functional.interpolate(image, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false).clamp_(0, 1);
    }

    /// <summary>
    /// <paramref name="image"/> resized as one period of a periodic plane: padded circularly first, so the edges are
    /// interpolated from the opposite side's pixels rather than clamped (a tileable texture stays tileable).
    /// </summary>
    public static Tensor ResizeWrapped(Tensor image, int width, int height)
    {
        long h = image.shape[2], w = image.shape[3];
        if (h == height && w == width) return image.clone();
        const int pad = 2;
        double fx = (double)width / w, fy = (double)height / h;
        using var padded = nn.functional.pad(image, [pad, pad, pad, pad], PaddingModes.Circular);
        using var up = nn.functional.interpolate(padded, size: [(long)Math.Round((h + 2 * pad) * fy), (long)Math.Round((w + 2 * pad) * fx)],
            mode: InterpolationMode.Bilinear, align_corners: false);
        using var rows = up.narrow(2, (long)Math.Round(pad * fy), height);
        return rows.narrow(3, (long)Math.Round(pad * fx), width).clamp(0, 1);
    }

    public static Tensor Noise(int width, int height, long seed, Device device)
    {
        using var gen = new Generator(unchecked((ulong)seed), CPU);
        using var r = rand(new long[] { 1, 3, height, width }, generator: gen);
        // Mid-grey noise: L-BFGS starts better from small perturbations than from the full [0,1] range.
        using var n = r.mul(0.5).add_(0.25);
        return n.to(device);
    }

    /// <summary>The progress stage of scale <paramref name="index"/>: "scale 2/3", with the tiles when it is tiled ("" for a single scale).</summary>
    public static string Stage(int index, IReadOnlyList<GatysLevel> levels)
    {
        var l = levels[index];
        string tiles = l.Tiled && (l.TileWidth < l.Width || l.TileHeight < l.Height) ? $"{l.Width}x{l.Height} in {l.TileWidth} px tiles" : "";
        if (levels.Count == 1) return tiles;
        return tiles.Length > 0 ? $"scale {index + 1}/{levels.Count}, {tiles}" : $"scale {index + 1}/{levels.Count}";
    }

    public static double Elapsed(Stopwatch clock) => clock.Elapsed.TotalSeconds;
}
