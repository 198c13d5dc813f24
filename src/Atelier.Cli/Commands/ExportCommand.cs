using System.CommandLine;
using System.Globalization;
using System.Text;
using Atelier.Cli.Infrastructure;
using Atelier.Models;
using Atelier.Onnx.Export;
using Atelier.Translation;

namespace Atelier.Cli.Commands;

/// <summary>`atelier export onnx`: a network as an ONNX model, verified in ONNX Runtime against Atelier before it is written.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var cmd = new Command("export", "Export trained networks to other formats, each export checked against Atelier's own output");
        cmd.Subcommands.Add(Onnx());
        return cmd;
    }

    static Command Onnx()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "The network: a fast-style model (a file or a shipped name such as candy), a pix2pix/CycleGAN generator, an AdaIN decoder or a StyleGAN2 generator", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The .onnx file to write (only once the export is verified)", Required = true };
        var opset = new Option<int>("--opset") { Description = $"ONNX opset to write ({OnnxGraphBuilder.MinOpset} to {OnnxGraphBuilder.MaxOpset})", DefaultValueFactory = _ => OnnxGraphBuilder.DefaultOpset };
        var direction = new Option<string>("--direction") { Description = "AtoB (G_A) or BtoA (G_B) for a CycleGAN run checkpoint holding both", DefaultValueFactory = _ => "AtoB" };
        var vgg = new Option<string?>("--vgg") { Description = "For an AdaIN decoder: the normalised VGG-19 encoder (vgg_normalised.pth); default: the built-in seeded one, which fits only decoders trained on it" };
        var part = new Option<string>("--part") { Description = "For a StyleGAN2 generator: synthesis (w+ to the image, stored noise) or mapping (z to w)", DefaultValueFactory = _ => "synthesis" };
        var cmd = new Command("onnx", $"Write a network as ONNX (dynamic batch, and height and width where the network allows), run it in ONNX Runtime at two sizes against Atelier and fail above {OnnxVerifier.Tolerance:0e0} relative difference");
        cmd.Options.Add(checkpoint);
        cmd.Options.Add(output);
        cmd.Options.Add(opset);
        cmd.Options.Add(direction);
        cmd.Options.Add(vgg);
        cmd.Options.Add(part);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var outPath = ctx.Get(output)!;
            if (!outPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                throw new AtelierUsageException($"{{Output}} {outPath}: must end in .onnx");
            var dir = Atelier.Translation.TranslationMethods.ParseDirection(ctx.Get(direction) ?? "AtoB");
            // Any network by file, shipped name (candy) or catalogue name (horse2zebra, ffhq), fetched on first use.
            var path = ctx.ModelFile(ctx.Get(checkpoint)!, ModelUse.AnyShortName, ct);
            var vggPath = ctx.Get(vgg) is { } v0 ? ctx.ModelFile(v0, ModelUse.AdaInEncoder, ct) : null;
            var stylegan = (ctx.Get(part) ?? "synthesis").ToLowerInvariant() switch
            {
                "synthesis" => StyleGanPart.Synthesis,
                "mapping" => StyleGanPart.Mapping,
                var other => throw new AtelierUsageException($"{{Part}} {other}: expected synthesis or mapping"),
            };
            using var network = ExportableNetwork.Load(path, dir, vggPath, stylegan);
            if (network.Kind == "adain" && ctx.Get(vgg) is null)
                ctx.Warn("no --vgg given: exporting with the built-in seeded random normalised VGG-19, which fits only decoders trained on it; pass --vgg vgg_normalised.pth for the published decoders");
            var result = OnnxExporter.Export(network, outPath, ctx.Get(opset));
            var v = result.Verification;
            if (!v.Passed)
            {
                // The figures still go to stdout with --json; the one line says what failed, and nothing was written.
                if (ctx.Json) ctx.Result(result);
                var worst = v.Sizes.MaxBy(s => s.MaxRelativeDifference)!;
                ctx.Err.WriteLine($"error: the exported {result.Network} differs from Atelier by {F(worst.MaxRelativeDifference)} relative " +
                    $"(max abs {F(worst.MaxAbsDifference)}) at {Case(worst)}, above {F(v.Tolerance)}; {outPath} was not written");
                return CliRunner.Failure;
            }
            ctx.Result(result, Describe(result));
            return CliRunner.Success;
        });
        return cmd;
    }

    static string Case(OnnxSizeCheck s) =>
        s.Height == 0 ? $"batch {s.Batch}" : s.Batch == 1 ? $"{s.Height}x{s.Width}" : $"{s.Height}x{s.Width} batch {s.Batch}";

    static string F(double x) => x.ToString("0.00e0", CultureInfo.InvariantCulture);

    static string Describe(OnnxExportResult r)
    {
        var sb = new StringBuilder();
        var size = r.Bytes >= 1_000_000 ? $"{r.Bytes / 1e6:0.0} MB" : $"{r.Bytes / 1e3:0.0} kB";
        sb.AppendLine($"wrote {r.Output}: {r.Network}, opset {r.Opset}, {size}, dynamic axes: {r.DynamicAxes}");
        sb.Append($"verified in ONNX Runtime against Atelier (seed {r.Verification.Seed}):");
        foreach (var s in r.Verification.Sizes)
            sb.Append($"\n  {Case(s),-16}  max abs {F(s.MaxAbsDifference)}  max relative {F(s.MaxRelativeDifference)}");
        return sb.ToString();
    }
}
