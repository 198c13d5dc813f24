using Atelier.Checkpoints;
using Atelier.Studio.Jobs;
using Atelier.Translation;

namespace Atelier.Studio.Methods;

/// <summary>Pix2Pix: a sketch (or any input of the trained kind) translated by a trained U-Net/ResNet generator.</summary>
public sealed class Pix2PixMethod : StudioMethod
{
    public override string Id => "translate.pix2pix";
    public override string Panel => "pix2pix";
    public override string Title => "Pix2Pix";
    public override string About => "draw (or load) an input of the kind the generator was trained on, e.g. edges for edges2shoes; the result has the input's size.";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Model("model", "Generator", TranslationModels.Kinds),
        MethodParam.Sketch("sketch", "Sketch", 256),
    ];

    public override Availability Check(Models.ModelCatalog models) =>
        models.Has(TranslationModels.Kinds) ? Availability.Ready
        : Availability.Missing("Pix2Pix needs a trained generator: junyanz/pytorch-CycleGAN-and-pix2pix's latest_net_G.pth (e.g. edges2shoes, facades) loads directly; put it in the models folder (atelier studio --models DIR).");

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var (_, path) = r.Models.Resolve(r.Fields.String("model"), "model", TranslationModels.Kinds);
        var sketch = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "sketch", true, ct))!;
        TranslationModels.CheckSize("sketch", sketch);
        var device = r.Device;
        return ctx =>
        {
            using var translator = Translator.Load(path, evalMode: true, device: device);
            ctx.CancellationToken.ThrowIfCancellationRequested();
            return new JobOutput(translator.Translate(sketch), new Dictionary<string, object> { ["generator"] = translator.Spec.Name });
        };
    }
}

/// <summary>CycleGAN: a picture translated by G_A (A to B) or G_B (B to A) of a trained run, or by one bare generator.</summary>
public sealed class CycleGanMethod : StudioMethod
{
    public override string Id => "translate.cyclegan";
    public override string Panel => "cyclegan";
    public override string Title => "CycleGAN";
    public override string About => "a picture from one domain re-rendered in the other (e.g. horse to zebra).";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Model("model", "Generator or run checkpoint", TranslationModels.Kinds),
        MethodParam.Image("image", "Picture", "pebbles", 128),
        MethodParam.Choice("direction", "Direction (run checkpoints)", "AtoB", "AtoB", "BtoA"),
    ];

    public override Availability Check(Models.ModelCatalog models) =>
        models.Has(TranslationModels.Kinds) ? Availability.Ready
        : Availability.Missing("CycleGAN needs a trained generator: junyanz/pytorch-CycleGAN-and-pix2pix's pretrained files (e.g. horse2zebra.pth) load directly; put one in the models folder (atelier studio --models DIR).");

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var (info, path) = r.Models.Resolve(r.Fields.String("model"), "model", TranslationModels.Kinds);
        var image = (await r.Uploads.ReadRgbAsync(r.Fields.Form, "image", true, ct))!;
        TranslationModels.CheckSize("image", image);
        var direction = r.Fields.Choice("direction", "AtoB", "AtoB", "BtoA") == "BtoA" ? Direction.BtoA : Direction.AtoB;
        bool isRun = info.Is(ArchitectureKind.CycleGanRun);
        if (!isRun && direction == Direction.BtoA)
            throw new StudioRequestException(400, "'direction': BtoA needs a CycleGAN run checkpoint (with G_A and G_B); this file holds one generator");
        var device = r.Device;
        return ctx =>
        {
            using var translator = Translator.Load(path, evalMode: true, direction: isRun ? direction : null, device: device);
            ctx.CancellationToken.ThrowIfCancellationRequested();
            return new JobOutput(translator.Translate(image), new Dictionary<string, object> { ["generator"] = translator.Spec.Name });
        };
    }
}

static class TranslationModels
{
    /// <summary>What the translator loads: a bare U-Net/ResNet generator, or a pix2pix/CycleGAN run's.</summary>
    public static readonly ArchitectureKind[] Kinds =
        [ArchitectureKind.UnetGenerator, ArchitectureKind.ResnetGenerator, ArchitectureKind.Pix2PixRun, ArchitectureKind.CycleGanRun];

    public static void CheckSize(string name, Imaging.Image img)
    {
        if (img.Width < 16 || img.Height < 16 || (long)img.Width * img.Height > 1024 * 1024)
            throw new StudioRequestException(413, $"'{name}': use a picture between 16x16 and 1024x1024 here (got {img.Width}x{img.Height})");
    }
}
