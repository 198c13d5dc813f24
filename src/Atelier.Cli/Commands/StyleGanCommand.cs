using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Models;
using Atelier.Methods;
using Atelier.StyleGan;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Cli.Commands;

/// <summary>`atelier stylegan`: generate, mix, invert and the degraded inversions are the registered methods (StyleGan/StyleGanMethods, InversionMethods); train here, the latent edits in Program.</summary>
public static class StyleGanCommand
{
    public static Command Create()
    {
        var cmd = new Command("stylegan", "StyleGAN2 (rosinality/stylegan2-pytorch checkpoints, NVlabs StyleGAN2-ADA .pkl): sample, mix styles, train; invert an image (Image2StyleGAN) and edit in latent space");
        foreach (var method in MethodRegistry.InArea("stylegan")) cmd.Subcommands.Add(RegisteredCommand.Create(method));
        cmd.Subcommands.Add(StyleGanTrainCommand.Create());
        cmd.Subcommands.Add(StyleGanEvaluateCommand.Create());
        return cmd;
    }

    internal static Option<string> CheckpointOption() => new("--checkpoint", "-c")
    {
        Description = "StyleGAN2 checkpoint: a file (.pt/.pth with g_ema, .safetensors, or an NVlabs StyleGAN2-ADA .pkl, read without running its code) or a catalogue name (e.g. ffhq; fetched on first use)",
        Required = true,
    };

    /// <summary>Loads a generator from a file or a catalogue name (fetched on first use).</summary>
    internal static Generator LoadGenerator(CliContext ctx, string nameOrPath, CancellationToken ct = default)
    {
        var g = GeneratorLoader.Load(ctx.ModelFile(nameOrPath, ModelUse.StyleGan, ct), ctx.Device);
        ctx.Note($"StyleGAN2 generator: {g.Size} px, style dim {g.StyleDim}, {g.Config.NMlp} mapping layers, {g.NLatent} latents");
        return g;
    }

    internal static bool IsImagePath(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".webp";
}
