namespace Atelier.Checkpoints;

/// <summary>
/// The kinds of network (or training run) a checkpoint can hold, as far as Atelier knows them. The studio and
/// the CLI decide what a file is good for from this, never from the description text.
/// </summary>
public enum ArchitectureKind
{
    Unknown,
    /// <summary>A file with Atelier's <see cref="ModelMetadata"/> naming its architecture.</summary>
    AtelierModel,
    /// <summary>rosinality StyleGAN2 generator (a bare state dict, or g_ema alone).</summary>
    StyleGan2Generator,
    /// <summary>A StyleGAN2 training checkpoint (g, d, g_ema: rosinality's train.py or `atelier stylegan train`).</summary>
    StyleGan2Run,
    StyleGan2Discriminator,
    /// <summary>NVlabs stylegan2-ada-pytorch generator (mapping.fc*, synthesis.b4..bN): a .pkl's G_ema, or G alone.</summary>
    StyleGan2NvlabsGenerator,
    /// <summary>An NVlabs stylegan2-ada-pytorch snapshot .pkl: G, D, G_ema (and augment_pipe) side by side.</summary>
    StyleGan2NvlabsSnapshot,
    /// <summary>pytorch/examples fast_neural_style TransformerNet.</summary>
    FastStyle,
    /// <summary>An `atelier fast-style train` run checkpoint (the TransformerNet under net.).</summary>
    FastStyleRun,
    /// <summary>naoto0804/pytorch-AdaIN decoder.</summary>
    AdaInDecoder,
    /// <summary>An `atelier adain train` run checkpoint (the decoder under decoder.).</summary>
    AdaInDecoderRun,
    /// <summary>The normalised VGG-19 of AdaIN/WCT (1x1 conv first).</summary>
    VggNormalised,
    /// <summary>torchvision VGG (features.N).</summary>
    VggTorchvision,
    /// <summary>junyanz ResNet generator (CycleGAN's default).</summary>
    ResnetGenerator,
    /// <summary>junyanz U-Net generator (pix2pix's default).</summary>
    UnetGenerator,
    /// <summary>A pix2pix run checkpoint: G and D.</summary>
    Pix2PixRun,
    /// <summary>A CycleGAN run checkpoint: G_A, G_B (and D_A, D_B).</summary>
    CycleGanRun,
    PatchGan,
    PixelGan,
}

/// <summary>
/// What <see cref="ArchitectureRecognizer"/> found: the <see cref="Kind"/>, a human description (what
/// `atelier checkpoint inspect` prints), the hyperparameters read from the shapes, and the sub-dict it sits in
/// (e.g. "g_ema"), if any.
/// </summary>
public sealed record RecognizedArchitecture(ArchitectureKind Kind, string Description, IReadOnlyDictionary<string, object> Parameters, string? Prefix = null)
{
    public static readonly RecognizedArchitecture Unknown = new(ArchitectureKind.Unknown, ArchitectureRecognizer.Unknown, new Dictionary<string, object>());

    /// <summary>A stable lower-case id for the kind, e.g. "stylegan2-generator" (used in JSON).</summary>
    public string KindId => KindIds.Of(Kind);

    /// <summary>Whether it holds a pix2pix/CycleGAN generator the translator can load (a bare one or a run's).</summary>
    public bool IsTranslationGenerator => Kind is ArchitectureKind.ResnetGenerator or ArchitectureKind.UnetGenerator
        or ArchitectureKind.Pix2PixRun or ArchitectureKind.CycleGanRun;

    /// <summary>Whether it holds a StyleGAN2 generator <c>GeneratorLoader</c> can load.</summary>
    public bool IsStyleGanGenerator => Kind is ArchitectureKind.StyleGan2Generator or ArchitectureKind.StyleGan2Run
        or ArchitectureKind.StyleGan2NvlabsGenerator or ArchitectureKind.StyleGan2NvlabsSnapshot;
}

public static class KindIds
{
    public static string Of(ArchitectureKind kind) => kind switch
    {
        ArchitectureKind.Unknown => "unknown",
        ArchitectureKind.AtelierModel => "atelier-model",
        ArchitectureKind.StyleGan2Generator => "stylegan2-generator",
        ArchitectureKind.StyleGan2Run => "stylegan2-run",
        ArchitectureKind.StyleGan2Discriminator => "stylegan2-discriminator",
        ArchitectureKind.StyleGan2NvlabsGenerator => "stylegan2-nvlabs-generator",
        ArchitectureKind.StyleGan2NvlabsSnapshot => "stylegan2-nvlabs-snapshot",
        ArchitectureKind.FastStyle => "fast-style",
        ArchitectureKind.FastStyleRun => "fast-style-run",
        ArchitectureKind.AdaInDecoder => "adain-decoder",
        ArchitectureKind.AdaInDecoderRun => "adain-decoder-run",
        ArchitectureKind.VggNormalised => "vgg-normalised",
        ArchitectureKind.VggTorchvision => "vgg-torchvision",
        ArchitectureKind.ResnetGenerator => "resnet-generator",
        ArchitectureKind.UnetGenerator => "unet-generator",
        ArchitectureKind.Pix2PixRun => "pix2pix-run",
        ArchitectureKind.CycleGanRun => "cyclegan-run",
        ArchitectureKind.PatchGan => "patchgan",
        ArchitectureKind.PixelGan => "pixelgan",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
