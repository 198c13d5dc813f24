using System.CommandLine;
using System.Globalization;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Models;
using Atelier.Networks;
using Atelier.Quality;
using Atelier.Style;
using TorchSharp;

namespace Atelier.Cli.Commands.Style;

/// <summary>
/// `atelier adain evaluate --decoder D --style S [--style S2 ...] --images DIR`: a decoder's held-out figures: style
/// and content distance on the built-in ResNet-18 for styles it never saw, beside Gatys optimisation on the same
/// pictures, and the reconstruction PSNR of the pictures through encoder and decoder; a grid.
/// </summary>
public static class AdaInEvaluateCommand
{
    public static Command Create()
    {
        var decoder = new Option<string>("--decoder", "-d") { Description = "The decoder (a shipped name such as adain-resnet18, a catalogue name, or a file)", Required = true };
        var vgg = new Option<string?>("--vgg") { Description = "The normalised VGG-19 a VGG decoder pairs with (default: the encoder the decoder records; the built-in ResNet-18 for Atelier's own)" };
        var styles = new Option<string[]>("--style", "-s") { Description = "Style images the decoder was not trained on (repeat for several)", Required = true, AllowMultipleArgumentsPerToken = false };
        var styleSize = new Option<int?>("--style-size") { Description = "Resize the style images' shorter side to this (default: the picture size)" };
        var evaluation = new StyleEvaluationOptions("picture, reconstruction, then each style's network and Gatys results per row");
        var cmd = new Command("evaluate", "Held-out figures of an AdaIN decoder: style and content distance for unseen styles beside Gatys optimisation, and reconstruction PSNR")
            { decoder, vgg, styles, styleSize };
        evaluation.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var (s, steps, output, pictures) = evaluation.Read(ctx);
            int side = ctx.Get(styleSize) ?? s;
            var styleImages = ctx.Get(styles)!.Select(f => (Path.GetFileNameWithoutExtension(f), ImageResize.ResizeShorterSide(ImageOps.ToRgb(ImageIO.Load(f)), side))).ToList();
            var decoderPath = ctx.ModelFile(ctx.Get(decoder)!, ModelUse.AdaInDecoder, ct);
            using var stylizer = ctx.Get(vgg) is { } v
                ? AdaInStylizer.Load(ctx.ModelFile(v, ModelUse.AdaInEncoder, ct), [decoderPath], ctx.Device)
                : AdaInStylizer.LoadBuiltIn([decoderPath], () => throw new AtelierUsageException($"{decoderPath}: a decoder for the normalised VGG-19; give it with --vgg"), ctx.Device);
            using var features = FeatureNetworks.Load(FeatureNetworks.ResNet18);
            features.to(ctx.Device);
            var scores = ctx.WithProgress("adain evaluate", p => StyleTransferEvaluation.Run((c, style) => stylizer.Stylize(c, style), styleImages, pictures, features, s, steps, ctx.Seed ?? 1, p, ct));
            // A picture as its own style: AdaIN leaves its features as they are, so this is decoder(encoder(picture)).
            var contents = scores.GroupBy(r => r.Name).Select(g => (Name: g.Key, Content: g.First().Content)).ToList();
            var reconstructions = contents.Select(c => (c.Name, c.Content, Image: stylizer.Stylize(c.Content, c.Content))).ToList();
            var psnr = new PeakSignalToNoiseRatio();
            var recPsnr = reconstructions.ToDictionary(r => r.Name, r => psnr.Compare(r.Image, r.Content));
            static string F(double? value) => StyleEvaluationOptions.Figure(value);
            double Mean(IEnumerable<StyleTransferScore> some, Func<StyleTransferScore, double?> pick) => StyleTransferEvaluation.Mean(some, pick);
            if (output is { } path)
            {
                var cells = new List<(Image, string?)>();
                foreach (var (name, content, rec) in reconstructions)
                {
                    cells.Add((content, name));
                    cells.Add((rec, $"reconstruction: {recPsnr[name]:0.0} dB"));
                    foreach (var r in scores.Where(r => r.Name == name))
                    {
                        cells.Add((r.Network, $"{r.Style}: style {F(r.NetworkStyle)}, content {F(r.NetworkContent)}"));
                        if (r.Gatys is { } g) cells.Add((g, $"Gatys {steps}: style {F(r.GatysStyle)}, content {F(r.GatysContent)}"));
                    }
                }
                ImageIO.Save(ContactSheet.Create(cells, 2 + styleImages.Count * (steps > 0 ? 2 : 1)), path);
            }
            if (!ctx.Json)
                foreach (var r in scores)
                    ctx.Note($"{r.Name} / {r.Style}: network style {F(r.NetworkStyle)} content {F(r.NetworkContent)}; Gatys style {F(r.GatysStyle)} content {F(r.GatysContent)}");
            double recMean = recPsnr.Values.Average();
            object Network(IEnumerable<StyleTransferScore> some) => new { style = Mean(some, r => r.NetworkStyle), content = Mean(some, r => r.NetworkContent) };
            object? Gatys(IEnumerable<StyleTransferScore> some) => steps > 0 ? new { style = Mean(some, r => r.GatysStyle), content = Mean(some, r => r.GatysContent) } : null;
            ctx.Result(new
            {
                command = "adain evaluate", decoder = decoderPath, pictures = pictures.Count, styles = styleImages.Select(x => x.Item1), size = s, gatysSteps = steps,
                network = Network(scores), gatys = Gatys(scores),
                perStyle = styleImages.Select(x => x.Item1).Select(name =>
                {
                    var mine = scores.Where(r => r.Style == name).ToList();
                    return new { style = name, network = Network(mine), gatys = Gatys(mine) };
                }),
                reconstruction = new { psnr = recMean, perPicture = recPsnr },
                perPicture = scores.Select(r => new { r.Name, r.Style, r.NetworkStyle, r.NetworkContent, r.GatysStyle, r.GatysContent }),
            }, $"{pictures.Count} held-out pictures x {styleImages.Count} styles at {s} px: network style distance {F(Mean(scores, r => r.NetworkStyle))}, content distance {F(Mean(scores, r => r.NetworkContent))}"
               + (steps > 0 ? $"; Gatys ({steps} steps) style {F(Mean(scores, r => r.GatysStyle))}, content {F(Mean(scores, r => r.GatysContent))}" : "")
               + $"; reconstruction PSNR {recMean:0.00} dB");
            return CliRunner.Success;
        });
        return cmd;
    }
}
