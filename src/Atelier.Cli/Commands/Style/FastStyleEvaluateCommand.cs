using System.CommandLine;
using System.Globalization;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Quality;
using Atelier.Style;
using TorchSharp;

namespace Atelier.Cli.Commands.Style;

/// <summary>
/// `atelier fast-style evaluate --model M --style S --images DIR`: a model's held-out figures (style and content
/// distance on the built-in ResNet-18) beside what Gatys optimisation reaches on the same pictures, and a grid.
/// </summary>
public static class FastStyleEvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "The fast-style network (a shipped name such as candy, a catalogue name such as mosaic, or a file)", Required = true };
        var style = new Option<string>("--style", "-s") { Description = "The style image it was trained for", Required = true };
        var styleSize = new Option<int?>("--style-size") { Description = "Resize the style image's shorter side to this (as in training)" };
        var evaluation = new StyleEvaluationOptions("picture, network, Gatys per row");
        var cmd = new Command("evaluate", "Held-out figures of a fast-style network: style and content distance, beside Gatys optimisation")
            { model, style, styleSize };
        evaluation.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var (s, steps, output, pictures) = evaluation.Read(ctx);
            var styleImage = ImageIO.Load(ctx.Get(style)!);
            if (ctx.Get(styleSize) is int ss) styleImage = ImageResize.ResizeShorterSide(styleImage, ss);
            var modelPath = ctx.ModelFile(ctx.Get(model)!, Atelier.Models.ModelUse.FastStyle, ct);
            using var net = FastStyle.LoadModel(modelPath, ctx.Device);
            using var features = FeatureNetworks.Load(FeatureNetworks.ResNet18);
            features.to(ctx.Device);
            var scores = ctx.WithProgress("fast-style evaluate", p => StyleTransferEvaluation.Run((c, _) => FastStyle.Stylize(net, [c], ctx.Device)[0],
                [("style", styleImage)], pictures, features, s, steps, ctx.Seed ?? 1, p, ct));
            static string F(double? v) => StyleEvaluationOptions.Figure(v);
            double Mean(Func<StyleTransferScore, double?> pick) => StyleTransferEvaluation.Mean(scores, pick);
            if (output is { } path)
            {
                var cells = new List<(Image, string?)>();
                foreach (var r in scores)
                {
                    cells.Add((r.Content, r.Name));
                    cells.Add((r.Network, $"network: style {F(r.NetworkStyle)}, content {F(r.NetworkContent)}"));
                    if (r.Gatys is { } g) cells.Add((g, $"Gatys {steps}: style {F(r.GatysStyle)}, content {F(r.GatysContent)}"));
                }
                ImageIO.Save(ContactSheet.Create(cells, steps > 0 ? 3 : 2), path);
            }
            if (!ctx.Json)
                foreach (var r in scores)
                    ctx.Note($"{r.Name}: network style {F(r.NetworkStyle)} content {F(r.NetworkContent)}; Gatys style {F(r.GatysStyle)} content {F(r.GatysContent)}");
            ctx.Result(new
            {
                command = "fast-style evaluate", model = modelPath, pictures = scores.Count, size = s, gatysSteps = steps,
                network = new { style = Mean(r => r.NetworkStyle), content = Mean(r => r.NetworkContent) },
                gatys = steps > 0 ? new { style = Mean(r => r.GatysStyle), content = Mean(r => r.GatysContent) } : null,
                perPicture = scores.Select(r => new { r.Name, r.NetworkStyle, r.NetworkContent, r.GatysStyle, r.GatysContent }),
            }, $"{scores.Count} held-out pictures at {s} px: network style distance {F(Mean(r => r.NetworkStyle))}, content distance {F(Mean(r => r.NetworkContent))}"
               + (steps > 0 ? $"; Gatys ({steps} steps) style {F(Mean(r => r.GatysStyle))}, content {F(Mean(r => r.GatysContent))}" : ""));
            return CliRunner.Success;
        });
        return cmd;
    }
}
