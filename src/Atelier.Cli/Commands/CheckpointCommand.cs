using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Atelier.Checkpoints;
using Atelier.Cli.Infrastructure;
using static TorchSharp.torch;

namespace Atelier.Cli.Commands;

/// <summary>`atelier checkpoint inspect|convert`: look inside PyTorch and safetensors files, convert to safetensors.</summary>
public static class CheckpointCommand
{
    public static Command Create()
    {
        var cmd = new Command("checkpoint", "Inspect PyTorch (.pth/.pt/.ckpt) and safetensors checkpoints, convert them to safetensors");
        cmd.Subcommands.Add(Inspect());
        cmd.Subcommands.Add(Convert());
        return cmd;
    }

    public sealed record TensorInfo(string Name, long[] Shape, string Dtype, long Numel);

    public sealed record InspectResult(
        string File, string Format, string Architecture, int Tensors, long TotalParameters,
        IReadOnlyList<TensorInfo> Entries, IReadOnlyDictionary<string, string> Metadata, IReadOnlyDictionary<string, object?> Values);

    public sealed record ConvertResult(string Input, string Output, string? Select, int Tensors, long TotalParameters, string Architecture);

    static Command Inspect()
    {
        var file = new Argument<string>("file") { Description = "The checkpoint (format recognised by content), or a catalogue name (fetched on first use)" };
        var cmd = new Command("inspect", "List a checkpoint's tensors (shapes, dtypes), parameter count, plain values and the architecture its keys match");
        cmd.Arguments.Add(file);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var path = ctx.ModelFile(ctx.Get(file)!, Atelier.Models.ModelUse.AnyShortName, ct);
            // Headers only: no tensor data is read and libtorch is not loaded, so a 300 MB file lists at once.
            var headers = Checkpoint.ReadHeaders(path);
            var entries = headers.Tensors.Select(kv => new TensorInfo(kv.Key, kv.Value.Shape, DType.Name(kv.Value.DType), kv.Value.Numel)).ToList();
            var result = new InspectResult(path, headers.Format.ToString(), headers.Identify().Description, entries.Count,
                entries.Sum(e => e.Numel), entries, headers.Metadata,
                headers.NonTensorEntries.ToDictionary(kv => kv.Key, kv => JsonSafe(kv.Value, 0)));
            ctx.Result(result, Describe(result));
            return CliRunner.Success;
        }, usesTorch: false);
        return cmd;
    }

    static Command Convert()
    {
        var input = new Argument<string>("input") { Description = "The checkpoint to convert (a file or a catalogue name)" };
        var output = new Argument<string>("output") { Description = "The .safetensors file to write" };
        var select = new Option<string?>("--select") { Description = "Keep only the tensors under this entry (e.g. g_ema, state_dict), without its prefix; several, comma-separated (e.g. G_A,G_B), keep theirs" };
        var half = new Option<bool>("--half") { Description = "Store 32-bit float tensors as 16-bit (half the size; loading turns them back into 32-bit)" };
        var cmd = new Command("convert", "Write a checkpoint's tensors (optionally one sub-dict) as a safetensors file");
        cmd.Arguments.Add(input);
        cmd.Arguments.Add(output);
        cmd.Options.Add(select);
        cmd.Options.Add(half);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var inPath = ctx.ModelFile(ctx.Get(input)!, Atelier.Models.ModelUse.AnyShortName, ct);
            var outPath = ctx.Get(output)!;
            var sel = ctx.Get(select);
            if (!outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                throw new AtelierUsageException($"output {outPath}: must end in .safetensors");
            using var ckpt = Checkpoint.Load(inPath);
            var entries = sel?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            if (sel != null && entries.Length == 0) throw new AtelierUsageException("--select: name an entry, e.g. g_ema");
            // One entry is unwrapped (g_ema's tensors become the file's); several keep their names, so a CycleGAN's G_A and G_B stay apart.
            var tensors = entries.Length == 0 ? ckpt.StateDict
                : entries.Length == 1 ? ckpt.Select(entries[0])
                : entries.SelectMany(e => ckpt.Select(e).Select(kv => KeyValuePair.Create($"{e}.{kv.Key}", kv.Value))).ToDictionary(StringComparer.Ordinal);
            if (tensors.Count == 0) throw new AtelierException($"{inPath}: holds no tensors to convert");
            var metadata = new Dictionary<string, string>(ckpt.Metadata, StringComparer.Ordinal)
            {
                ["atelier.converted_from"] = Path.GetFileName(inPath),
            };
            if (sel != null) metadata["atelier.selected"] = sel;
            if (ctx.Get(half))
            {
                // float16 keeps about 3 decimal digits: enough for a network's weights (the shipped models are stored so).
                tensors = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.dtype == ScalarType.Float32 ? kv.Value.to_type(ScalarType.Float16) : kv.Value, StringComparer.Ordinal);
                metadata["atelier.half"] = "float32 tensors stored as float16";
            }
            var values = ckpt.NonTensorEntries;
            if (values.Count > 0) metadata["atelier.source_values"] = JsonSerializer.Serialize(values.ToDictionary(kv => kv.Key, kv => JsonSafe(kv.Value, 0)));
            SafeTensors.Save(outPath, tensors, metadata);
            var shapes = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);
            var result = new ConvertResult(inPath, outPath, sel, tensors.Count, tensors.Values.Sum(t => t.numel()),
                ArchitectureRecognizer.Recognize(shapes, ckpt.Metadata));
            ctx.Result(result, $"wrote {outPath}: {result.Tensors} tensors, {result.TotalParameters:N0} parameters ({result.Architecture})");
            return CliRunner.Success;
        });
        return cmd;
    }

    static string Describe(InspectResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{r.File}  ({r.Format})");
        sb.AppendLine($"architecture  {r.Architecture}");
        sb.AppendLine($"tensors       {r.Tensors}, {r.TotalParameters.ToString("N0", CultureInfo.InvariantCulture)} parameters");
        if (r.Entries.Count > 0)
        {
            int w = Math.Max(4, r.Entries.Max(e => e.Name.Length));
            int ws = Math.Max(5, r.Entries.Max(e => Shape(e.Shape).Length));
            sb.AppendLine();
            sb.AppendLine($"{"name".PadRight(w)}  {"shape".PadRight(ws)}  dtype");
            foreach (var e in r.Entries) sb.AppendLine($"{e.Name.PadRight(w)}  {Shape(e.Shape).PadRight(ws)}  {e.Dtype}");
        }
        foreach (var (k, v) in r.Metadata) sb.AppendLine($"metadata {k} = {v}");
        foreach (var (k, v) in r.Values) sb.AppendLine($"{k} = {JsonSerializer.Serialize(v)}");
        return sb.ToString().TrimEnd();
    }

    static string Shape(long[] s) => "[" + string.Join(", ", s) + "]";

    /// <summary>Plain data ready for JSON: tensors (inside objects) become a short description.</summary>
    static object? JsonSafe(object? v, int depth) => v switch
    {
        _ when depth > 32 => "...",
        Tensor t => $"tensor {Shape(t.shape)} {DType.Name(t.dtype)}",
        TensorHeader h => $"tensor {Shape(h.Shape)} {DType.Name(h.DType)}",
        Dictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => JsonSafe(kv.Value, depth + 1)),
        List<object?> l => l.Select(x => JsonSafe(x, depth + 1)).ToList(),
        byte[] b => Convert64(b),
        double d when double.IsNaN(d) || double.IsInfinity(d) => d.ToString(CultureInfo.InvariantCulture),
        _ => v,
    };

    static string Convert64(byte[] b) => "base64:" + System.Convert.ToBase64String(b.Length > 256 ? b[..256] : b);
}
