namespace Atelier.Models;

/// <summary>
/// What an option takes a model for: the short names it accepts (a name is tried as given, then with each of
/// <see cref="Prefixes"/>: "candy" finds fast-style-candy) and the catalogue kinds that fit (empty: any).
/// </summary>
public sealed record ModelUse(string What, IReadOnlyList<string> Prefixes, IReadOnlyList<string> Kinds)
{
    public static readonly ModelUse Any = new("model", [], []);
    public static readonly ModelUse FastStyle = new("fast-style network", ["fast-style-"], ["fast-style"]);
    public static readonly ModelUse AdaInDecoder = new("AdaIN decoder", ["adain-"], ["adain-decoder"]);
    public static readonly ModelUse AdaInEncoder = new("AdaIN encoder (normalised VGG-19)", ["adain-"], ["vgg-normalised", "vgg-torchvision"]);
    /// <summary>Perceptual features and VGG losses: the torchvision VGGs or AdaIN's normalised one.</summary>
    public static readonly ModelUse Features = new("VGG feature network", [], ["vgg-torchvision", "vgg-normalised"]);
    public static readonly ModelUse Pix2Pix = new("pix2pix generator", ["pix2pix-", "cyclegan-"], ["pix2pix-generator", "cyclegan-generator"]);
    public static readonly ModelUse CycleGan = new("CycleGAN generator", ["cyclegan-", "pix2pix-"], ["cyclegan-generator", "pix2pix-generator"]);
    public static readonly ModelUse StyleGan = new("StyleGAN2 generator", ["stylegan2-ada-", "stylegan2-rosinality-", "stylegan2-"], ["stylegan2-rosinality", "stylegan2-nvlabs-pkl"]);

    /// <summary>Any model, by its name or the short name any option accepts (for commands about models themselves).</summary>
    public static readonly ModelUse AnyShortName = new("model",
        [.. new[] { FastStyle, AdaInDecoder, Pix2Pix, CycleGan, StyleGan }.SelectMany(u => u.Prefixes).Distinct()], []);

    public bool Accepts(CatalogueEntry entry) => Kinds.Count == 0 || Kinds.Contains(entry.Kind);
}
