using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Methods;
using static TorchSharp.torch;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.StyleGan;

/// <summary>
/// Image2StyleGAN's latent arithmetic on codes (seeds, latent files, inversions), as every front end offers it
/// (<see cref="MethodRegistry"/>): the morph, the layer crossover and the expression transfer.
/// </summary>
public static class LatentEditMethods
{
    static MethodParameter FileSpace() =>
        P.Choice("Space", "Space of latent files", "w+", ["z", "w", "w+"], "space of latent files given as codes: z, w or w+ (seeds are always z)");

    const string CodeHelp = "a seed (integer) or a latent file (see the space)";

    public static MethodDescriptor Morph { get; } = new()
    {
        Id = "stylegan.morph",
        Examples = GlyphExamples.Morph(),
        Title = "Morph",
        About = "w = l w1 + (1 - l) w2 between two codes: a strip of frames from l = 1 to l = 0, or one blend between the two",
        Reference = "Abdal et al. 2019 (Image2StyleGAN)",
        Parameters =
        [
            StyleGanMethods.Checkpoint(),
            P.Latent("From", "From (l = 1)", 1, "first code (l = 1): " + CodeHelp),
            P.Latent("To", "To (l = 0)", 2, "second code (l = 0): " + CodeHelp),
            P.Int("Frames", "Frames", 1, 256, 8, "images in the strip, l from 1 to 0; 1 gives one blend at the lambda, between the two codes"),
            P.Float("Lambda", "l", 0, 1, 0.5, 0.05, "the blend's l when there is one frame (1 = the first code, 0 = the second)"),
            FileSpace(),
        ],
        MakesSheet = true,
        Run = (v, run) => Edit(v, run, (g, code) =>
        {
            var (w1, w2) = (code("From"), code("To"));
            var (fromLabel, toLabel) = (v.Latent("From").Label, v.Latent("To").Label);
            int frames = v.Int("Frames");
            if (frames == 1)
            {
                double lambda = v.Float("Lambda");
                return ([(w1, fromLabel), (LatentEdits.Morph(w1, w2, lambda), $"l = {lambda:0.##}"), (w2, toLabel)],
                    new Dictionary<string, object> { ["lambda"] = lambda, ["from"] = fromLabel, ["to"] = toLabel });
            }
            var codes = LatentEdits.MorphSequence(w1, w2, frames);
            return ([.. Enumerable.Range(0, frames).Select(i => (codes[i].unsqueeze(0), $"l = {1 - (double)i / (frames - 1):0.##}"))],
                new Dictionary<string, object> { ["frames"] = frames, ["from"] = fromLabel, ["to"] = toLabel });
        }, cell => $"frame{cell:D3}"),
    };

    public static MethodDescriptor Crossover { get; } = new()
    {
        Id = "stylegan.crossover",
        Examples = GlyphExamples.Crossover(),
        Title = "Crossover",
        About = "the shallow code's latents before the split (coarse layers), the deep code's from the split on",
        Reference = "Abdal et al. 2019 (Image2StyleGAN)",
        Parameters =
        [
            StyleGanMethods.Checkpoint(),
            P.Latent("Shallow", "Shallow (coarse) code", 1, "code for the shallow (coarse) layers: " + CodeHelp),
            P.Latent("Deep", "Deep (fine) code", 2, "code for the deep (fine) layers: " + CodeHelp),
            P.Int("Split", "Split (first latent from the deep code)", 0, 18, 4, "first latent index taken from the deep code"),
            FileSpace(),
        ],
        Run = (v, run) => Edit(v, run, (g, code) =>
        {
            var (a, b) = (code("Shallow"), code("Deep"));
            int split = v.Int("Split");
            var mixed = LatentEdits.Crossover(g, a, b, split);
            return ([(a, v.Latent("Shallow").Label), (b, v.Latent("Deep").Label), (mixed, $"split {split}")],
                new Dictionary<string, object> { ["split"] = split, ["latents"] = g.NLatent });
        }),
    };

    public static MethodDescriptor Expression { get; } = new()
    {
        Id = "stylegan.expression",
        Examples = GlyphExamples.Expression(),
        Title = "Expression transfer",
        About = "w1 + lambda (w3 - w2): the difference between an expressive and a neutral code, added to a base code",
        Reference = "Abdal et al. 2019 (Image2StyleGAN)",
        Parameters =
        [
            StyleGanMethods.Checkpoint(),
            P.Latent("Base", "Base code (w1)", 1, "code to edit (w1): " + CodeHelp),
            P.Latent("Neutral", "Neutral reference (w2)", 2, "neutral reference (w2): " + CodeHelp),
            P.Latent("Expressive", "Expressive reference (w3)", 3, "expressive reference (w3): " + CodeHelp),
            P.Float("Strength", "Strength (lambda)", -10, 10, 1, 0.05, "lambda in w1 + lambda (w3 - w2)"),
            FileSpace(),
        ],
        Run = (v, run) => Edit(v, run, (g, code) =>
        {
            var (w1, w2, w3) = (code("Base"), code("Neutral"), code("Expressive"));
            double lambda = v.Float("Strength");
            var edited = LatentEdits.Expression(w1, w2, w3, lambda);
            return ([(w1, "base"), (w2, "neutral"), (w3, "expressive"), (edited, $"edited x{lambda:0.##}")],
                new Dictionary<string, object> { ["strength"] = lambda });
        }),
    };

    /// <summary>
    /// Runs an edit: the generator borrowed, each code resolved to w+ by parameter name, the edit's codes rendered as a
    /// captioned sheet (one row) with its figures; with <paramref name="partName"/>, each picture also apart, so named.
    /// </summary>
    static MethodResult Edit(MethodValues v, MethodContext run,
        Func<Generator, Func<string, Tensor>, (List<(Tensor Code, string Caption)> Cells, Dictionary<string, object> Info)> edit,
        Func<int, string>? partName = null)
    {
        var clock = Stopwatch.StartNew();
        // Borrowed before the dispose scope opens: a kept generator's weights outlive this run.
        var g = run.Resources.Model(v.Text("Model"), p => GeneratorLoader.Load(p, run.Device));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var space = LatentFile.ParseSpace(v.Choice("Space"));
        var (cells, info) = edit(g, name => v.Latent(name).WPlus(g, space, name));
        var images = new List<(Image, string?)>();
        foreach (var (code, caption) in cells)
        {
            run.Cancellation.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            images.Add((StyleMixing.ToImage(g.Synthesize(code)), caption));
        }
        info["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3);
        var sheet = StyleGanMethods.Sheet(images, images.Count);
        return partName is null ? new MethodResult(sheet, info)
            : new MethodResult(sheet, info) { Parts = [.. images.Select((cell, i) => (partName(i), cell.Item1))] };
    }
}
