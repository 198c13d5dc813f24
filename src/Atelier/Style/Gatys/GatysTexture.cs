using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Texture synthesis with a CNN (Gatys, Ecker and Bethge 2015): starting from noise, optimise an image of any size
/// so its Gram matrices on chosen VGG layers match the sample's.
/// </summary>
public static class GatysTexture
{
    /// <param name="vgg">The feature network: the built-in ResNet-18 (<see cref="ResNetFeatures.BuiltIn"/>) or a VGG.</param>
    /// <param name="options">Unset choices (layers, smoothing, weights) come from the network's recipe.</param>
    public static GatysResult Synthesize(Image sample, int width, int height, FeatureNetwork vgg, GatysTextureOptions? options = null,
                                         IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        options = (GatysTextureOptions)(options ?? new GatysTextureOptions()).ResolveFor(vgg);
        if (width < 16 || height < 16) throw new AtelierUsageException($"{{Size}} {width}x{height}: the output must be at least 16x16");
        GatysEngine.CheckOutputSize(width, height, "Size");
        GatysEngine.Validate(options, vgg);
        vgg.CheckInputSize(sample.Width, sample.Height, "the texture sample");
        var clock = Stopwatch.StartNew();
        var device = vgg.Device;
        using var scope = NewDisposeScope();
        var sampleT = ImageTensors.ToTensor(ImageOps.ToRgb(sample), device: device);

        bool wrap = options.Tileable;
        var layers = options.StyleLayers!;
        var levels = GatysPyramid.Plan(width, height, options, vgg, layers);
        int total = levels.Sum(l => l.Iterations), done = 0;
        // Under a budget freed feature maps go back to the system, so the resident set follows what a pass needs.
        using var budget = options.MaxMemory is null && !levels.Any(l => l.Tiled) ? null : NativeAllocator.EnterBudget();
        Tensor? x = null;
        Dictionary<string, double> losses = [];
        for (int s = 0; s < levels.Count; s++)
        {
            var level = levels[s];
            var (w, h) = (level.Width, level.Height);
            double f = (double)w / width;
            using var levelScope = NewDisposeScope();
            var styleAtScale = f < 1 ? GatysEngine.Resize(sampleT, Math.Max(16, (int)Math.Round(sample.Width * f)), Math.Max(16, (int)Math.Round(sample.Height * f))) : sampleT;
            using var objective = new GatysObjective(vgg, options, [(styleAtScale, 1.0)], [], null, 0, wrap, level.MaxTargetPassPixels);
            var init = x is null ? GatysEngine.Noise(w, h, options.Seed, device) : wrap ? GatysEngine.ResizeWrapped(x, w, h) : GatysEngine.Resize(x, w, h);
            x?.Dispose();
            string stage = GatysEngine.Stage(s, levels);
            (x, losses) = level.Tiled
                ? GatysTiledRefinement.Refine(init, objective, null, level, options, wrap, done, total, stage, t => ImageTensors.FromTensor(t), progress, ct)
                : GatysEngine.Optimize(init, objective, options, level.Iterations, done, total, stage, t => ImageTensors.FromTensor(t), progress, ct);
            x.MoveToOuterDisposeScope();
            done += level.Iterations;
        }
        var image = ImageTensors.FromTensor(x!);
        return new GatysResult(image, losses, total, clock.Elapsed.TotalSeconds) { Levels = levels };
    }
}
