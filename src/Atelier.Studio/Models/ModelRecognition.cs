using Atelier.Checkpoints;
using Atelier.Translation;
using static TorchSharp.torch;

namespace Atelier.Studio.Models;

/// <summary>
/// What kind of checkpoint a file is: its container format (from magic bytes) and the architecture its tensor
/// names and shapes match (the reference layouts the library loads by name).
/// </summary>
public static class ModelRecognition
{
    /// <summary>"safetensors", "pytorch-zip", "pytorch-legacy" or "unknown", from the first bytes.</summary>
    public static string FormatOf(string path)
    {
        Span<byte> head = stackalloc byte[16];
        int n;
        try
        {
            using var fs = File.OpenRead(path);
            n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (IOException) { return "unreadable"; }
        catch (UnauthorizedAccessException) { return "unreadable"; }
        head = head[..n];
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return "pytorch-zip";
        if (n >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5) return "pytorch-legacy";
        if (n >= 9 && head[8] == '{' && BitConverter.ToUInt64(head[..8]) < (100UL << 20)) return "safetensors";
        return "unknown";
    }

    /// <summary>Files larger than this are listed without being opened (recognition reads every tensor).</summary>
    public const long MaxRecognisedBytes = 1L << 30;

    /// <summary>The architecture the file's tensors match, with a note; (null, why) when unrecognised.</summary>
    public static (string? Architecture, string? Note) Recognize(string path)
    {
        if (new FileInfo(path).Length > MaxRecognisedBytes) return (null, "too large to inspect");
        using var scope = NewDisposeScope();
        using var file = Checkpoint.Load(path);
        return Classify(file.StateDict);
    }

    /// <summary>Classifies a flattened state dict by the reference layouts' key names and shapes.</summary>
    public static (string? Architecture, string? Note) Classify(IReadOnlyDictionary<string, Tensor> sd)
    {
        bool Has(string k) => sd.ContainsKey(k);
        bool Any(string prefix) => sd.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));

        // CycleGAN / pix2pix run checkpoints hold several networks.
        if (Any("G_A.") && Any("G_B.")) return ("cyclegan-run (G_A, G_B)", "a CycleGAN training checkpoint: both directions");
        if (Any("G.") && Any("D.") && TryGenerator(Sub(sd, "G.")) is { } runSpec) return ($"pix2pix-run ({runSpec.Name})", "a pix2pix training checkpoint");

        var plain = StateDicts.StripPrefixIfAll(sd, "module.");
        if (TryGenerator(plain) is { } spec)
            return spec.Family == GeneratorFamily.Unet
                ? ($"pix2pix-generator ({spec.Name})", "U-Net generator (pix2pix's default)")
                : ($"cyclegan-generator ({spec.Name})", "ResNet generator (CycleGAN's default)");

        // StyleGAN2 (rosinality): g_ema or a bare generator.
        if (Any("g_ema.style.") || (Any("style.") && Any("convs.") && Any("to_rgbs.")))
        {
            int convs = plain.Keys.Where(k => k.StartsWith("g_ema.convs.", StringComparison.Ordinal) || k.StartsWith("convs.", StringComparison.Ordinal))
                .Select(k => k.Split('.')).Select(p => p[0] == "g_ema" ? p[2] : p[1]).Distinct().Count();
            int size = convs > 0 ? 4 << (convs / 2) : 0;
            return (size > 0 ? $"stylegan2-generator ({size}px)" : "stylegan2-generator", "rosinality/stylegan2-pytorch layout");
        }

        // pytorch/examples fast_neural_style TransformerNet.
        if (Has("conv1.conv2d.weight") && Has("res1.conv1.conv2d.weight") && Has("deconv3.conv2d.weight"))
            return ("fast-style (TransformerNet)", "pytorch/examples fast_neural_style");

        // torchvision VGG, and pytorch-AdaIN's normalised VGG and decoder (plain Sequential indices).
        if (Has("features.0.weight")) return ("vgg (torchvision)", "usable as Gatys's network with trained weights");
        if (plain.TryGetValue("0.weight", out var first) && first.shape is [3, 3, 1, 1]) return ("vgg-normalised (AdaIN/WCT encoder)", null);
        if (plain.TryGetValue("1.weight", out var d1) && d1.shape is [256, 512, 3, 3]) return ("adain-decoder (relu4_1)", "pytorch-AdaIN decoder");
        return (null, $"no known layout ({plain.Count} tensors, e.g. {string.Join(", ", plain.Keys.Take(3))})");
    }

    static Dictionary<string, Tensor> Sub(IReadOnlyDictionary<string, Tensor> sd, string prefix) =>
        sd.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    static GeneratorSpec? TryGenerator(IReadOnlyDictionary<string, Tensor> sd)
    {
        try { return GeneratorSpec.Detect(sd, "checkpoint"); }
        catch (AtelierException) { return null; }
    }
}
