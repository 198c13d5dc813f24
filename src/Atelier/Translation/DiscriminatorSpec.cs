using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Atelier.Translation;

/// <summary>Which discriminator: PatchGAN (the reference's basic / n_layers) or the 1x1 PixelGAN.</summary>
public enum DiscriminatorFamily { Patch, Pixel }

/// <summary>A pix2pix/CycleGAN discriminator: family, n_layers (PatchGAN), width ndf, input channels, norm.</summary>
public sealed record DiscriminatorSpec(DiscriminatorFamily Family, int NLayers, long Ndf, long InputNc, NormKind Norm = NormKind.Batch)
{
    /// <summary>basic (n_layers 3), n_layers_N, or pixel.</summary>
    public string Name => Family == DiscriminatorFamily.Pixel ? "pixel" : NLayers == 3 ? "basic" : $"n_layers_{NLayers}";

    /// <summary>Input pixels one output logit sees (1 for PixelGAN).</summary>
    public int ReceptiveField => Family == DiscriminatorFamily.Pixel ? 1 : PatchDiscriminator.ReceptiveField(NLayers);

    public Module<Tensor, Tensor> Build() => Family == DiscriminatorFamily.Pixel
        ? new PixelDiscriminator(InputNc, Ndf, Norm)
        : new PatchDiscriminator(InputNc, Ndf, NLayers, Norm);

    /// <summary>Parses basic, pixel, n_layers_N (or n_layers with <paramref name="nLayers"/>).</summary>
    public static DiscriminatorSpec Parse(string name, long ndf, long inputNc, NormKind norm, int nLayers = 3)
    {
        var s = name.Trim().ToLowerInvariant();
        if (ndf < 1) throw new AtelierUsageException($"{{Ndf}} {ndf}: must be at least 1");
        if (s == "basic") return new(DiscriminatorFamily.Patch, 3, ndf, inputNc, norm);
        if (s == "pixel") return new(DiscriminatorFamily.Pixel, 0, ndf, inputNc, norm);
        if (s == "n_layers") return nLayers >= 1 ? new(DiscriminatorFamily.Patch, nLayers, ndf, inputNc, norm)
            : throw new AtelierUsageException($"{{NLayersD}} {nLayers}: must be at least 1");
        if (s.StartsWith("n_layers_", StringComparison.Ordinal)
            && int.TryParse(s.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 8)
            return new(DiscriminatorFamily.Patch, n, ndf, inputNc, norm);
        throw new AtelierUsageException($"{{Discriminator}} {name}: expected basic (70x70 PatchGAN), n_layers_N (N from 1 to 8) or pixel");
    }

    /// <summary>Reads the architecture from a reference discriminator state dict.</summary>
    public static DiscriminatorSpec Detect(IReadOnlyDictionary<string, Tensor> sd, string source)
    {
        if (sd.TryGetValue("net.0.weight", out var p) && p.shape is [_, _, 1, 1])
        {
            var norm = sd.ContainsKey("net.3.weight") ? NormKind.Batch : sd.ContainsKey("net.2.bias") ? NormKind.Instance : NormKind.None;
            return new(DiscriminatorFamily.Pixel, 0, p.shape[0], p.shape[1], norm);
        }
        if (sd.TryGetValue("model.0.weight", out var c) && c.shape is [_, _, 4, 4])
        {
            // Convs sit at 0, 2, 5, 8, ...; the last (to one channel) at 2 + 3 n_layers.
            int last = 2;
            while (sd.ContainsKey($"model.{last + 3}.weight")) last += 3;
            int nLayers = (last - 2) / 3;
            var norm = sd.ContainsKey("model.3.weight") && nLayers >= 1 ? NormKind.Batch
                     : sd.ContainsKey("model.2.bias") ? NormKind.Instance : NormKind.None;
            if (nLayers < 1) throw new AtelierException($"{source}: a PatchGAN state dict without its middle layers ({GeneratorSpec.Describe(sd)})");
            return new(DiscriminatorFamily.Patch, nLayers, c.shape[0], c.shape[1], norm);
        }
        throw new AtelierException($"{source}: not a pix2pix/CycleGAN discriminator (expected model.0.weight with 4x4 kernels or net.0.weight with 1x1; found {GeneratorSpec.Describe(sd)})");
    }
}
