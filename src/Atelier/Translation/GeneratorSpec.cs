using System.Globalization;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Atelier.Translation;

/// <summary>Which generator family: the reference's unet_N or resnet_Nblocks.</summary>
public enum GeneratorFamily { Unet, Resnet }

/// <summary>
/// Everything needed to build a pix2pix/CycleGAN generator: family and depth (U-Net downsamplings or ResNet
/// blocks), width ngf, channels, norm and dropout. Parsed from a name such as <c>unet_256</c> or
/// <c>resnet_9blocks</c>, or detected from a checkpoint's keys and shapes.
/// </summary>
public sealed record GeneratorSpec(GeneratorFamily Family, int Depth, long Ngf, long InputNc = 3, long OutputNc = 3,
    NormKind Norm = NormKind.Batch, bool Dropout = false)
{
    /// <summary>The reference's --netG name: unet_256 (Depth 8 downsamplings), resnet_9blocks (Depth 9 blocks).</summary>
    public string Name => Family == GeneratorFamily.Unet ? $"unet_{1 << Depth}" : $"resnet_{Depth}blocks";

    /// <summary>Input sides must be multiples of this to come back at the same size.</summary>
    public int Multiple => Family == GeneratorFamily.Unet ? 1 << Depth : 4;

    public Module<Tensor, Tensor> Build() => Family == GeneratorFamily.Unet
        ? new UnetGenerator(InputNc, OutputNc, Depth, Ngf, Norm, Dropout)
        : new ResnetGenerator(InputNc, OutputNc, Ngf, Norm, Dropout, Depth);

    public override string ToString() =>
        $"{Name} ngf {Ngf}, {InputNc}->{OutputNc} channels, {Norms.Name(Norm)} norm{(Dropout ? ", dropout" : "")}";

    static readonly Regex NameRx = new(@"^(?:unet_(?<size>\d+)|resnet_(?<blocks>\d+)blocks)$", RegexOptions.CultureInvariant);

    /// <summary>Whether <paramref name="name"/> is a generator name (unet_N with N a power of two >= 32, resnet_Nblocks).</summary>
    public static bool TryParseName(string name, out GeneratorFamily family, out int depth)
    {
        family = default; depth = 0;
        var m = NameRx.Match(name.Trim().ToLowerInvariant());
        if (!m.Success) return false;
        if (m.Groups["size"].Success)
        {
            if (!int.TryParse(m.Groups["size"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || size < 32 || size > (1 << 14) || (size & (size - 1)) != 0) return false;
            family = GeneratorFamily.Unet; depth = int.Log2(size);
            return true;
        }
        if (!int.TryParse(m.Groups["blocks"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var blocks) || blocks > 64) return false;
        family = GeneratorFamily.Resnet; depth = blocks;
        return true;
    }

    /// <summary>A spec from a name and options (for training a new network).</summary>
    /// <param name="parameter">Where the name came from, named in a usage error: the options' Generator, or a loader's arch.</param>
    public static GeneratorSpec Parse(string name, long ngf = 64, long inputNc = 3, long outputNc = 3,
        NormKind norm = NormKind.Batch, bool dropout = false, string parameter = "Generator")
    {
        if (!TryParseName(name, out var family, out var depth))
            throw new AtelierUsageException($"{{{parameter}}} {name}: expected unet_128, unet_256 (unet_N, N a power of two from 32) or resnet_6blocks, resnet_9blocks (resnet_Nblocks)");
        if (ngf < 1) throw new AtelierUsageException($"{{Ngf}} {ngf}: must be at least 1");
        return new GeneratorSpec(family, depth, ngf, inputNc, outputNc, norm, dropout);
    }

    /// <summary>
    /// Reads the architecture from a reference state dict (keys as the reference saves them, after
    /// <see cref="TranslationCheckpoint.Clean"/>). U-Net dropout leaves no keys, so it comes from
    /// <paramref name="unetDropout"/> (pix2pix trains with it on); a ResNet's dropout shows in its key indices.
    /// </summary>
    public static GeneratorSpec Detect(IReadOnlyDictionary<string, Tensor> sd, string source, bool unetDropout = true)
    {
        if (sd.TryGetValue("model.model.0.weight", out var first)) return DetectUnet(sd, first, unetDropout);
        if (sd.ContainsKey("model.10.conv_block.1.weight") && sd.TryGetValue("model.1.weight", out var stem)) return DetectResnet(sd, stem);
        if (sd.ContainsKey("model.1.weight") && sd.TryGetValue("model.1.weight", out var s7) && s7.shape is [_, _, 7, 7])
            return DetectResnet(sd, s7); // resnet_0blocks
        throw new AtelierException($"{source}: not a pix2pix/CycleGAN generator (expected keys model.model.0.weight for a U-Net or model.10.conv_block.1.weight for a ResNet; found {Describe(sd)})");
    }

    static GeneratorSpec DetectUnet(IReadOnlyDictionary<string, Tensor> sd, Tensor first, bool dropout)
    {
        // Outermost block "model.model.", its inner block "model.model.1.model.", deeper ones "...3.model.".
        int depth = 1;
        string prefix = "model.model.1.model.";
        while (sd.ContainsKey(prefix + "1.weight"))
        {
            depth++;
            if (!sd.ContainsKey(prefix + "3.model.1.weight")) break;
            prefix += "3.model.";
        }
        long ngf = first.shape[0], inputNc = first.shape[1];
        long outputNc = sd.TryGetValue("model.model.3.weight", out var up) ? up.shape[1] : 3;
        var norm = sd.ContainsKey("model.model.1.model.2.weight") ? NormKind.Batch
                 : sd.ContainsKey("model.model.1.model.1.bias") ? NormKind.Instance : NormKind.None;
        return new GeneratorSpec(GeneratorFamily.Unet, depth, ngf, inputNc, outputNc, norm, dropout);
    }

    static GeneratorSpec DetectResnet(IReadOnlyDictionary<string, Tensor> sd, Tensor stem)
    {
        int blocks = 0;
        while (sd.ContainsKey($"model.{10 + blocks}.conv_block.1.weight")) blocks++;
        bool dropout = sd.ContainsKey("model.10.conv_block.6.weight");
        long ngf = stem.shape[0], inputNc = stem.shape[1];
        long outputNc = sd.TryGetValue($"model.{blocks + 17}.weight", out var last) ? last.shape[0] : 3;
        var norm = sd.ContainsKey("model.2.weight") ? NormKind.Batch
                 : sd.ContainsKey("model.1.bias") ? NormKind.Instance : NormKind.None;
        return new GeneratorSpec(GeneratorFamily.Resnet, blocks, ngf, inputNc, outputNc, norm, dropout);
    }

    internal static string Describe(IReadOnlyDictionary<string, Tensor> sd)
    {
        if (sd.Count == 0) return "no tensors";
        var keys = sd.Keys.Order(StringComparer.Ordinal).Take(3).ToList();
        return $"{sd.Count} tensors, e.g. {string.Join(", ", keys)}";
    }
}
