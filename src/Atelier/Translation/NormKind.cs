using Atelier.Networks;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Atelier.Translation;

/// <summary>The normalisation a generator or discriminator uses (the reference's --norm).</summary>
public enum NormKind
{
    /// <summary>BatchNorm2d with affine weights and running statistics (pix2pix's default).</summary>
    Batch,
    /// <summary>InstanceNorm2d without affine weights or running statistics (CycleGAN's default); a <see cref="SharedInstanceNorm"/>, so tiles and video frames can share statistics.</summary>
    Instance,
    /// <summary>No normalisation (an identity module keeps the reference's Sequential indices).</summary>
    None,
}

/// <summary>Norm layers and the conv-bias rule exactly as the reference builds them.</summary>
public static class Norms
{
    /// <summary>A norm layer over <paramref name="channels"/> channels.</summary>
    public static Module<Tensor, Tensor> Create(NormKind kind, long channels) => kind switch
    {
        NormKind.Batch => BatchNorm2d(channels),
        NormKind.Instance => new SharedInstanceNorm(channels, affine: false, eps: 1e-5),
        _ => Identity(),
    };

    /// <summary>
    /// Whether a conv that feeds a norm has a bias. The reference sets use_bias only for InstanceNorm (batch
    /// norm's shift makes a bias redundant; with norm 'none' its check is also false, so those convs have none).
    /// </summary>
    public static bool ConvBias(NormKind kind) => kind == NormKind.Instance;

    public static NormKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "batch" => NormKind.Batch,
        "instance" => NormKind.Instance,
        "none" => NormKind.None,
        _ => throw new AtelierUsageException($"{{Norm}} {text}: expected batch, instance or none"),
    };

    public static string Name(NormKind kind) => kind.ToString().ToLowerInvariant();
}
