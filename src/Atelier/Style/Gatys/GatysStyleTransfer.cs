using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// Neural style transfer by optimisation (Gatys, Ecker and Bethge 2016): an image that keeps the content image's
/// deep activations and takes the (weighted mix of) style images' Gram matrices. The output has the content's size.
/// </summary>
public static class GatysStyleTransfer
{
    /// <param name="vgg">The feature network: the built-in ResNet-18 (<see cref="ResNetFeatures.BuiltIn"/>) or a VGG.</param>
    /// <param name="options">Unset choices (layers, smoothing, weights) come from the network's recipe.</param>
    public static GatysResult Run(Image content, IReadOnlyList<WeightedStyle> styles, FeatureNetwork vgg, GatysStyleOptions? options = null,
                                  IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        options = (GatysStyleOptions)(options ?? new GatysStyleOptions()).ResolveFor(vgg);
        Validate(styles, vgg, options);
        vgg.CheckInputSize(content.Width, content.Height, "the content image");
        GatysEngine.CheckOutputSize(content.Width, content.Height, "Size");
        var clock = Stopwatch.StartNew();
        var device = vgg.Device;
        using var scope = NewDisposeScope();

        var contentRgb = ImageTensors.ToTensor(ImageOps.ToRgb(content), device: device);
        int width = content.Width, height = content.Height;
        var styleTensors = new List<(Tensor Image, double Weight)>();
        foreach (var s in styles)
        {
            // Style scale: the style image's longer side becomes StyleScale times the output's longer side.
            double target = options.StyleScale * Math.Max(width, height);
            double k = target / Math.Max(s.Image.Width, s.Image.Height);
            var resized = ImageResize.Resize(ImageOps.ToRgb(s.Image), Math.Max(16, (int)Math.Round(s.Image.Width * k)), Math.Max(16, (int)Math.Round(s.Image.Height * k)));
            var t = ImageTensors.ToTensor(resized, device: device);
            if (options.PreserveColor == ColorPreservation.Histogram) t = GatysColor.MatchColor(t, contentRgb);
            styleTensors.Add((t, s.Weight));
        }
        // Luminance-only transfer: the network sees grey images; colour comes back from the content at the end.
        bool luminance = options.PreserveColor == ColorPreservation.Luminance;
        var contentSeen = luminance ? GatysColor.Luminance(contentRgb) : contentRgb;
        if (luminance) styleTensors = [.. styleTensors.Select(s => (GatysColor.Luminance(s.Image), s.Weight))];

        var layers = options.StyleLayers!.Concat(options.ContentLayers!).Distinct().ToList();
        var levels = GatysPyramid.Plan(width, height, options, vgg, layers);
        int total = levels.Sum(l => l.Iterations), done = 0;
        // Under a budget freed feature maps go back to the system, so the resident set follows what a pass needs.
        using var budget = options.MaxMemory is null && !levels.Any(l => l.Tiled) ? null : NativeAllocator.EnterBudget();
        Tensor? x = null;
        Dictionary<string, double> losses = [];
        Func<Tensor, Image> toImage = t =>
        {
            if (!luminance) return ImageTensors.FromTensor(t);
            using var c = GatysEngine.Resize(contentRgb, (int)t.shape[3], (int)t.shape[2]);
            using var rgb = GatysColor.CombineLuminance(t, c);
            return ImageTensors.FromTensor(rgb);
        };
        for (int s = 0; s < levels.Count; s++)
        {
            var level = levels[s];
            var (w, h) = (level.Width, level.Height);
            double f = (double)w / width;
            using var levelScope = NewDisposeScope();
            var contentAtScale = GatysEngine.Resize(contentSeen, w, h);
            var stylesAtScale = f < 1
                ? styleTensors.Select(st => (GatysEngine.Resize(st.Image, Math.Max(16, (int)Math.Round(st.Image.shape[3] * f)), Math.Max(16, (int)Math.Round(st.Image.shape[2] * f))), st.Weight)).ToList()
                : styleTensors;
            // The Gram targets come from the whole style image at every scale (summed over tiles where it is larger than a
            // pass may be); a tiled scale's content targets come tile by tile.
            using var objective = new GatysObjective(vgg, options, stylesAtScale, options.ContentLayers!, level.Tiled ? null : contentAtScale, options.ContentWeight,
                maxPassPixels: level.MaxTargetPassPixels);
            Tensor init = x is not null ? GatysEngine.Resize(x, w, h) : options.Init switch
            {
                GatysInit.Content => contentAtScale.clone(),
                GatysInit.Noise => GatysEngine.Noise(w, h, options.Seed, device),
                _ => GatysEngine.Resize(stylesAtScale[0].Item1, w, h),
            };
            x?.Dispose();
            string stage = GatysEngine.Stage(s, levels);
            (x, losses) = level.Tiled
                ? GatysTiledRefinement.Refine(init, objective, contentAtScale, level, options, false, done, total, stage, toImage, progress, ct)
                : GatysEngine.Optimize(init, objective, options, level.Iterations, done, total, stage, toImage, progress, ct);
            x.MoveToOuterDisposeScope();
            done += level.Iterations;
        }
        return new GatysResult(toImage(x!), losses, total, clock.Elapsed.TotalSeconds) { Levels = levels };
    }

    static void Validate(IReadOnlyList<WeightedStyle> styles, FeatureNetwork vgg, GatysStyleOptions o)
    {
        if (styles.Count == 0) throw new AtelierUsageException("{Styles}: at least one style image is needed");
        foreach (var s in styles)
            if (!(s.Weight > 0) || double.IsInfinity(s.Weight))
                throw new AtelierUsageException($"{{Styles}}: weight {s.Weight} must be a positive number");
        GatysEngine.Validate(o, vgg);
        if (o.ContentLayers is not { Count: > 0 }) throw new AtelierUsageException("{ContentLayers}: at least one content layer is needed");
        foreach (var l in o.ContentLayers) GatysEngine.CheckLayer(vgg, l, nameof(o.ContentLayers));
        if (!(o.ContentWeight >= 0) || double.IsInfinity(o.ContentWeight)) throw new AtelierUsageException($"{{ContentWeight}} {o.ContentWeight}: must be 0 or more");
        if (!(o.StyleScale > 0) || o.StyleScale > 8) throw new AtelierUsageException($"{{StyleScale}} {o.StyleScale}: must be in (0, 8]");
    }
}
