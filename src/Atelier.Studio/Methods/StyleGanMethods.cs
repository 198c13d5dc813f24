using Atelier.Checkpoints;
using Atelier.Imaging;
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
    public static readonly ArchitectureKind[] Kinds = StyleGanMethods.Generators;

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

    public static Image Render(Generator g, Tensor wplus) => StyleMixing.ToImage(g.Synthesize(wplus));

    /// <summary>A captioned sheet of the generator's images, small cells enlarged (the library's, as the seeds and mixing grids make it).</summary>
    public static Image Sheet(IReadOnlyList<(Image Image, string? Caption)> cells, int columns) => StyleGanMethods.Sheet(cells, columns);
}

/// <summary>A latent code in a request for the morph (not registered yet): read as the registered methods' code fields are.</summary>
static class LatentCodes
{
    public static Func<Generator, Tensor> Parse(MethodRequest r, string field, string path, out string label)
    {
        var code = RegisteredMethod.Code(r, field, path) ?? throw new StudioRequestException(400, $"'{field}': give a seed (seed:N) or an inversion (job:ID)");
        label = code.Label;
        return g => code.WPlus(g, LatentSpace.WPlus, field);
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
        var (_, path) = StyleGanModels.Resolve(r);
        var from = LatentCodes.Parse(r, "from", path, out var fromLabel);
        var to = LatentCodes.Parse(r, "to", path, out var toLabel);
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
