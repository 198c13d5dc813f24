using System.Diagnostics;
using Atelier.Checkpoints;
using Atelier.Inference;
using Atelier.Methods;
using Atelier.Models;
using Atelier.Runtime;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.Translation;

/// <summary>Pix2Pix and CycleGAN translation as every front end offers them (<see cref="MethodRegistry"/>).</summary>
public static class TranslationMethods
{
    /// <summary>What the translator loads: a bare U-Net/ResNet generator, or a pix2pix/CycleGAN run's.</summary>
    public static readonly ArchitectureKind[] Generators =
        [ArchitectureKind.UnetGenerator, ArchitectureKind.ResnetGenerator, ArchitectureKind.Pix2PixRun, ArchitectureKind.CycleGanRun];

    public static MethodDescriptor Pix2Pix { get; } = Translate("pix2pix", "Pix2Pix", ModelUse.Pix2Pix,
        "translates a picture of the kind the generator was trained on (e.g. an XDoG sketch for the shipped pix2pix-sketch, edges for edges2shoes) with a trained U-Net/ResNet generator; the result has the input's size",
        "Isola et al. 2017", P.Image("Sketch", "Sketch", TranslationExamples.Pix2PixPicture, 256, primary: true, help: "an image, or a folder of images, of the kind the generator was trained on"),
        TranslationExamples.Pix2PixDefault, TranslationExamples.Pix2Pix());

    public static MethodDescriptor CycleGan { get; } = Translate("cyclegan", "CycleGAN", ModelUse.CycleGan,
        "re-renders a picture from one domain in the other (e.g. serif to sans-serif letters, horse to zebra) with G_A (A to B) or G_B (B to A) of a trained run, or one bare generator",
        "Zhu et al. 2017", P.Image("Image", "Picture", TranslationExamples.CycleGanPicture, 128, primary: true, help: "an image, or a folder of images"),
        TranslationExamples.CycleGanDefault, TranslationExamples.CycleGan());

    /// <summary>"AtoB" or "BtoA", in any case.</summary>
    public static Direction ParseDirection(string text) => text.Trim().ToLowerInvariant() switch
    {
        "atob" => Direction.AtoB,
        "btoa" => Direction.BtoA,
        _ => throw new AtelierUsageException($"{{Direction}} {text}: expected AtoB or BtoA"),
    };

    static MethodDescriptor Translate(string area, string title, ModelUse use, string about, string reference, MethodParameter input,
        string? defaultModel = null, IReadOnlyList<MethodExample>? examples = null) => new()
    {
        Id = area + ".translate",
        Title = title,
        About = about,
        Reference = reference,
        PerImage = true,
        Parameters =
        [
            // The earlier --checkpoint / -c, which scripts and docs use, and -m as the other model options spell it.
            P.Model("Model", "Generator", use, Generators, defaultModel,
                help: "generator weights: a name (one Atelier ships: pix2pix-sketch, cyclegan-serif-sans; or a catalogue name: horse2zebra, style-monet, edges2shoes...; fetched on first use), the reference's latest_net_G.pth / latest_net_G_A.pth, or an Atelier run checkpoint")
                with { Aliases = ["Checkpoint", "C", "M"] },
            input,
            P.Choice("Direction", "Direction (run checkpoints)", "AtoB", ["AtoB", "BtoA"], "AtoB (G_A) or BtoA (G_B) for a CycleGAN run checkpoint holding both"),
            P.Bool("Eval", "Eval mode (running statistics, no dropout)", false,
                "eval mode: BatchNorm running statistics and no dropout. Without it, like the reference's test.py, batch statistics and dropout are used"),
            P.Text("Arch", "Architecture", help: "generator architecture (unet_256, unet_128, resnet_9blocks, resnet_6blocks...); detected from the checkpoint when left out"),
            .. AnySizeParameters.All,
            P.Engine(),
            P.Seed(),
        ],
        Validate = AnySizeParameters.Validate,
        Examples = examples ?? [],
        Run = (v, run) =>
        {
            var clock = Stopwatch.StartNew();
            bool eval = v.Bool("Eval");
            var direction = ParseDirection(v.Choice("Direction"));
            var translator = run.Resources.Model(v.Text("Model"), path => Translator.Load(path, eval, v.OptionalText("Arch"), direction, run.Device));
            // Train mode draws dropout masks: seeded here, after the load, so the same seed gives the same picture.
            if (!eval) TorchRuntime.Seed(v.Seed());
            var tiling = AnySizeParameters.Tiling(v);
            var image = AnySizeParameters.Sizing(v).Apply(v.Image(input.Name));
            var plan = TilePlan.Create(image.Width, image.Height, (int)translator.Spec.InputNc, translator, tiling);
            if (plan.Tiled && translator.Spec.Norm == NormKind.Batch && !eval)
                run.Warn?.Invoke($"cut into {plan.Tiles.Count} tiles; BatchNorm in train mode normalises each tile by its own statistics (use eval mode, or a larger memory budget, for one consistent result)");
            var engine = InferenceEngines.Parse(v.Choice("Engine"));
            var network = engine == InferenceEngine.Torch ? translator : OnnxRuntime(translator, v.Text("Model"), run);
            var result = TiledInference.Run(image, network, tiling, ct: run.Cancellation);
            return new MethodResult(result, new Dictionary<string, object>
            {
                ["generator"] = translator.Spec.Name, ["mode"] = eval ? "eval" : "train", ["engine"] = engine == InferenceEngine.Torch ? "torch" : "onnxruntime",
                ["seed"] = v.Seed(), ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            });
        },
    };

    /// <summary>
    /// The generator run by ONNX Runtime on its export, which is the eval-mode network: refused for a generator whose train
    /// mode differs (batch statistics or dropout), since that is what the reference's test default draws.
    /// </summary>
    static IImageNetwork OnnxRuntime(Translator translator, string model, MethodContext run)
    {
        if (!translator.EvalMode && (translator.Spec.Norm == NormKind.Batch || translator.Spec.Dropout))
            throw new AtelierUsageException($"{{Engine}} onnxruntime: the {translator.Spec.Name} generator runs in train mode here (batch statistics"
                + $"{(translator.Spec.Dropout ? ", dropout" : "")}), which the exported graph does not have; use eval mode, or the torch engine");
        // The session is the eval-mode network of this file and direction.
        var session = run.Resources.Model($"{model}#onnxruntime", _ =>
            new OnnxRuntimeSession(Atelier.Onnx.Export.ExportableNetwork.Translation(translator.Spec, translator.Generator)));
        return new OnnxRuntimeImageNetwork(translator, session, x => x * 2 - 1, y => (y + 1) / 2);
    }
}
