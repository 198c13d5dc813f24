using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Studio.Jobs;
using Atelier.Studio.Models;
using Atelier.StyleGan;
using TorchSharp;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Studio.Methods;

/// <summary>The StyleGAN2 generators the panels take, and what to say when there is none.</summary>
static class StyleGanModels
{
    public static readonly ArchitectureKind[] Kinds = [ArchitectureKind.StyleGan2Generator, ArchitectureKind.StyleGan2Run,
        ArchitectureKind.StyleGan2NvlabsGenerator, ArchitectureKind.StyleGan2NvlabsSnapshot];

    public const string Needs = "StyleGAN needs a StyleGAN2 generator: train a small one with `atelier data shapes -o shapes` then " +
        "`atelier stylegan train --data shapes --size 32 -o run` (run/checkpoint.safetensors loads here), or put a rosinality/stylegan2-pytorch " +
        "checkpoint (.pt with g_ema, e.g. stylegan2-ffhq-config-f.pt) or an NVlabs stylegan2-ada-pytorch .pkl (e.g. ffhq.pkl) in the models folder (atelier studio --models DIR).";

    public static MethodParam Param() => MethodParam.Model("model", "Generator (StyleGAN2)", Kinds);

    public static Availability Check(ModelCatalog models) => models.Has(Kinds) ? Availability.Ready : Availability.Missing(Needs);

    public static (ModelInfo Info, string Path) Resolve(MethodRequest r) => r.Models.Resolve(r.Fields.String("model"), "model", Kinds);

    /// <summary>The w+ length of the file's generator (2 log2 size - 2), from the recogniser's parameters; 0 when unknown.</summary>
    public static int NLatent(ModelInfo info) =>
        info.Recognized.Parameters.TryGetValue("size", out var s) && Convert.ToInt64(s) is >= 8 and var size
            ? 2 * System.Numerics.BitOperations.Log2((ulong)size) - 2 : 0;

    public static Generator Load(string path, Device device) => GeneratorLoader.Load(path, device);

    public static Image Render(Generator g, Tensor wplus) => StyleMixing.ToImage(g.Synthesize(wplus));

    /// <summary>A captioned sheet of the generator's images, small cells enlarged (the library's, as the seeds and mixing grids make it).</summary>
    public static Image Sheet(IReadOnlyList<(Image Image, string? Caption)> cells, int columns) => StyleGanMethods.Sheet(cells, columns);
}

/// <summary>An inversion's result kept on the server so the edits can start from it (by job id).</summary>
public sealed record InvertedLatent(string ModelId, long[] Shape, float[] Values);

/// <summary>A latent code in a request: "seed:N" (or just N) or "job:ID" (the w+ of a finished inversion with the same model).</summary>
static class LatentCodes
{
    public static Func<Generator, Tensor> Parse(MethodRequest r, string field, ModelInfo model, out string label)
    {
        var text = r.Fields.String(field)?.Trim();
        if (string.IsNullOrEmpty(text)) throw new StudioRequestException(400, $"'{field}': give a seed (seed:N) or an inversion (job:ID)");
        if (text.StartsWith("job:", StringComparison.Ordinal))
        {
            var id = text[4..];
            var job = r.Jobs?.Find(id) ?? throw new StudioRequestException(404, $"'{field}': no job '{(id.Length > 20 ? id[..20] : id)}' (finished jobs are forgotten after a while)");
            if (job.Artifact is not InvertedLatent latent)
                throw new StudioRequestException(400, $"'{field}': job {id} holds no latent code (use a finished inversion)");
            if (latent.ModelId != model.Id)
                throw new StudioRequestException(400, $"'{field}': job {id} inverted with another generator; invert again with {model.Name}");
            label = "inversion";
            return g => tensor(latent.Values).reshape(latent.Shape).to(g.Device);
        }
        var digits = text.StartsWith("seed:", StringComparison.Ordinal) ? text[5..] : text;
        if (!long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seed) || seed > int.MaxValue)
            throw new StudioRequestException(400, $"'{field}': expected seed:N or job:ID, got '{(text.Length > 40 ? text[..40] : text)}'");
        label = $"seed {seed}";
        return g => g.Broadcast(g.SeedW(seed));
    }
}

/// <summary>
/// Image2StyleGAN inversion of an upload (and its degraded variants: super-resolution, inpainting, sketch):
/// a long job reporting PSNR and perceptual distance; the latent is kept for the edits.
/// </summary>
public abstract class StyleGanInversionMethod : StudioMethod
{
    public override string Panel => "inversion";

    protected static IReadOnlyList<MethodParam> Common(params MethodParam[] inputs) =>
    [
        StyleGanModels.Param(),
        .. inputs,
        MethodParam.Int("steps", "Adam steps", 1, 5000, 200),
        MethodParam.Choice("space", "Latent space", "w+", "w+", "w"),
        MethodParam.Bool("perceptual", "Perceptual loss (built-in random VGG-19)", true),
    ];

    public override Availability Check(ModelCatalog models) => StyleGanModels.Check(models);

    /// <summary>Reads the method's inputs: the observation at <paramref name="size"/> and its degradation.</summary>
    protected abstract Task<Func<int, (Tensor Observation, Degradation? Degradation)>> ReadAsync(MethodRequest r, CancellationToken ct);

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var (info, path) = StyleGanModels.Resolve(r);
        int steps = r.Fields.Int("steps", 200, 1, 5000);
        var space = r.Fields.Choice("space", "w+", "w+", "w") == "w" ? LatentSpace.W : LatentSpace.WPlus;
        bool perceptual = r.Fields.Bool("perceptual", true);
        var observe = await ReadAsync(r, ct);
        var device = r.Device;
        return ctx =>
        {
            using var scope = NewDisposeScope();
            using var g = StyleGanModels.Load(path, device);
            var (observation, degradation) = observe(g.Size);
            var meanW = MeanLatent.Get(g, path);
            // The built-in ImageNet ResNet-18, shared with the other methods (it is only read).
            var vgg = perceptual ? StudioFeatures.Get(FeatureNetworks.Default, VggPooling.Max, device) : null;
            using var loss = vgg is null ? null : new PerceptualLoss(vgg);
            var options = new InversionOptions { Space = space, Steps = steps, Degradation = degradation };
            using var result = Inversion.Invert(g, observation, meanW, loss is null ? null : loss.Distance, options, ctx.Progress, ctx.CancellationToken);
            var wplus = result.WPlus.detach().cpu().to(float32).contiguous();
            var artifact = new InvertedLatent(info.Id, wplus.shape, wplus.data<float>().ToArray());
            return new JobOutput(StyleMixing.ToImage(result.Image), new Dictionary<string, object>
            {
                ["psnr"] = Math.Round(result.Psnr, 2), ["perceptual"] = Math.Round(result.PerceptualDistance, 5), ["steps"] = result.Steps,
                ["degradation"] = degradation?.Name ?? "none", ["latent"] = true,
            }, artifact);
        };
    }

    protected static void CheckSize(string name, Image img)
    {
        if (img.Width < 4 || img.Height < 4 || (long)img.Width * img.Height > 2048 * 2048)
            throw new StudioRequestException(413, $"'{name}': use a picture between 4x4 and 2048x2048 here (got {img.Width}x{img.Height})");
    }
}

public sealed class StyleGanInvertMethod : StyleGanInversionMethod
{
    public override string Id => "stylegan.invert";
    public override string Title => "Invert a picture";
    public override string About => "finds the latent whose image matches the upload (Image2StyleGAN: perceptual + pixel loss, Adam from the mean w); then use it in the morph and crossover edits.";
    public override IReadOnlyList<MethodParam> Params { get; } = Common(MethodParam.Image("image", "Picture", "pebbles", 64));

    protected override async Task<Func<int, (Tensor, Degradation?)>> ReadAsync(MethodRequest r, CancellationToken ct)
    {
        var img = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "image", true, ct))!;
        CheckSize("image", img);
        return size => InversionTarget.Prepare(InversionTask.Invert, img, size);
    }
}

public sealed class StyleGanSuperResMethod : StyleGanInversionMethod
{
    public override string Id => "stylegan.superres";
    public override string Title => "Super-resolution";
    public override string About => "finds the generator's image whose downsampling matches the upload (brought to size/factor).";
    public override IReadOnlyList<MethodParam> Params { get; } = Common(MethodParam.Image("image", "Low-resolution picture", "pebbles", 16),
        MethodParam.Choice("factor", "Factor", "4", "2", "4", "8"));

    protected override async Task<Func<int, (Tensor, Degradation?)>> ReadAsync(MethodRequest r, CancellationToken ct)
    {
        var img = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "image", true, ct))!;
        CheckSize("image", img);
        int factor = int.Parse(r.Fields.Choice("factor", "4", "2", "4", "8"), System.Globalization.CultureInfo.InvariantCulture);
        return size => InversionTarget.Prepare(InversionTask.SuperResolution, img, size, factor: factor);
    }
}

public sealed class StyleGanInpaintMethod : StyleGanInversionMethod
{
    public override string Id => "stylegan.inpaint";
    public override string Title => "Inpainting";
    public override string About => "paint the hole: the loss ignores it, so the generator fills it with what fits the rest.";
    public override IReadOnlyList<MethodParam> Params { get; } = Common(MethodParam.Image("image", "Picture", "pebbles", 64), MethodParam.Mask("mask", "Hole", "image"));

    protected override async Task<Func<int, (Tensor, Degradation?)>> ReadAsync(MethodRequest r, CancellationToken ct)
    {
        var img = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "image", true, ct))!;
        var mask = (await r.Uploads.ReadMaskAsync(r.Fields.Form, "mask", true, ct))!;
        CheckSize("image", img);
        if (mask.Width != img.Width || mask.Height != img.Height)
            throw new StudioRequestException(400, $"'mask': it is {mask.Width}x{mask.Height} but the picture is {img.Width}x{img.Height}");
        if (!mask.Data.Any(v => v >= 0.5f)) throw new StudioRequestException(400, "'mask': nothing is painted; paint the hole to fill");
        // The same preparation as the CLI's (InversionTarget): one mask gives one result in both.
        return size => InversionTarget.Prepare(InversionTask.Inpaint, img, size, mask);
    }
}

public sealed class StyleGanSketchMethod : StyleGanInversionMethod
{
    public override string Id => "stylegan.sketch";
    public override string Title => "Sketch to image";
    public override string About => "draw: the generator's image whose Sobel edges match the drawing.";
    public override IReadOnlyList<MethodParam> Params { get; } = Common(MethodParam.Sketch("sketch", "Sketch", 128));

    protected override async Task<Func<int, (Tensor, Degradation?)>> ReadAsync(MethodRequest r, CancellationToken ct)
    {
        var img = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "sketch", true, ct))!;
        CheckSize("sketch", img);
        return size => InversionTarget.Prepare(InversionTask.Sketch, img, size);
    }
}

/// <summary>Morph between two codes (seeds or inversions): w = l w1 + (1 - l) w2.</summary>
public sealed class StyleGanMorphMethod : StudioMethod
{
    public override string Id => "stylegan.morph";
    public override string Panel => "inversion";
    public override string Title => "Morph";
    public override string About => "w = l w1 + (1 - l) w2 between two codes: an inversion (run one first) or a seed.";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        StyleGanModels.Param(),
        MethodParam.Code("from", "From (l = 1)", 1),
        MethodParam.Code("to", "To (l = 0)", 2),
        MethodParam.Float("lambda", "l", 0, 1, 0.5, 0.05, live: true),
    ];

    public override Availability Check(ModelCatalog models) => StyleGanModels.Check(models);

    public override Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var (info, path) = StyleGanModels.Resolve(r);
        var from = LatentCodes.Parse(r, "from", info, out var fromLabel);
        var to = LatentCodes.Parse(r, "to", info, out var toLabel);
        double lambda = r.Fields.Double("lambda", 0.5, 0, 1);
        var device = r.Device;
        Func<JobContext, JobOutput> work = _ =>
        {
            // Rented before the dispose scope opens: a pooled generator's weights must outlive this job.
            using var lease = GeneratorPool.Rent(path, device); // kept between jobs: sliders re-run it often
            var g = lease.Generator;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (w1, w2) = (g.Broadcast(from(g)), g.Broadcast(to(g)));
            var cells = new List<(Image, string?)>
            {
                (StyleGanModels.Render(g, w1), fromLabel),
                (StyleGanModels.Render(g, LatentEdits.Morph(w1, w2, lambda)), $"l = {lambda:0.##}"),
                (StyleGanModels.Render(g, w2), toLabel),
            };
            return new JobOutput(StyleGanModels.Sheet(cells, 3), new Dictionary<string, object> { ["lambda"] = lambda, ["from"] = fromLabel, ["to"] = toLabel });
        };
        return Task.FromResult(work);
    }
}

/// <summary>Layer crossover: latents before the split from one code, the rest from another.</summary>
public sealed class StyleGanCrossoverMethod : StudioMethod
{
    public override string Id => "stylegan.crossover";
    public override string Panel => "inversion";
    public override string Title => "Crossover";
    public override string About => "the shallow code's latents before the split (coarse layers), the deep code's from the split on.";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        StyleGanModels.Param(),
        MethodParam.Code("shallow", "Shallow (coarse) code", 1),
        MethodParam.Code("deep", "Deep (fine) code", 2),
        MethodParam.Float("split", "Split (first latent from the deep code)", 0, 18, 4, 1, live: true) with { LatentsMax = 0 },
    ];

    public override Availability Check(ModelCatalog models) => StyleGanModels.Check(models);

    public override Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var (info, path) = StyleGanModels.Resolve(r);
        var shallow = LatentCodes.Parse(r, "shallow", info, out var shallowLabel);
        var deep = LatentCodes.Parse(r, "deep", info, out var deepLabel);
        int nLatent = StyleGanModels.NLatent(info);
        int split = r.Fields.Int("split", 4, 0, nLatent > 0 ? nLatent : 18);
        var device = r.Device;
        Func<JobContext, JobOutput> work = _ =>
        {
            // Rented before the dispose scope opens: a pooled generator's weights must outlive this job.
            using var lease = GeneratorPool.Rent(path, device); // kept between jobs: sliders re-run it often
            var g = lease.Generator;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (a, b) = (g.Broadcast(shallow(g)), g.Broadcast(deep(g)));
            var mixed = LatentEdits.Crossover(g, a, b, split);
            var cells = new List<(Image, string?)>
            {
                (StyleGanModels.Render(g, a), shallowLabel), (StyleGanModels.Render(g, b), deepLabel), (StyleGanModels.Render(g, mixed), $"split {split}"),
            };
            return new JobOutput(StyleGanModels.Sheet(cells, 3), new Dictionary<string, object> { ["split"] = split, ["latents"] = g.NLatent });
        };
        return Task.FromResult(work);
    }
}
