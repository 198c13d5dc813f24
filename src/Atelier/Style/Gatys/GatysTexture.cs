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

        var sizes = GatysEngine.ScaleSizes(width, height, options.Scales ?? 1);
        int total = options.Iterations * sizes.Count;
        Tensor? x = null;
        Dictionary<string, double> losses = [];
        for (int s = 0; s < sizes.Count; s++)
        {
            var (w, h) = sizes[s];
            double f = (double)w / width;
            var styleAtScale = f < 1 ? GatysEngine.Resize(sampleT, Math.Max(16, (int)Math.Round(sample.Width * f)), Math.Max(16, (int)Math.Round(sample.Height * f))) : sampleT;
            using var objective = new GatysObjective(vgg, options, [(styleAtScale, 1.0)], [], null, 0);
            var init = x is null ? GatysEngine.Noise(w, h, options.Seed, device) : GatysEngine.Resize(x, w, h);
            (x, losses) = GatysEngine.Optimize(init, objective, options, options.Iterations, s * options.Iterations, total,
                sizes.Count > 1 ? $"scale {s + 1}/{sizes.Count}" : "", t => ImageTensors.FromTensor(t), progress, ct);
        }
        var image = ImageTensors.FromTensor(x!);
        return new GatysResult(image, losses, total, clock.Elapsed.TotalSeconds);
    }
}
