using Atelier.StyleGan;
using Atelier.Texture;
using Atelier.Translation;

namespace Atelier.Methods;

/// <summary>
/// Every method Atelier offers through its front ends, in one list: the CLI builds its commands from it, the studio its
/// forms, the demo and the bench their cases. Adding a method is its folder and one line here.
/// </summary>
public static class MethodRegistry
{
    public static IReadOnlyList<MethodDescriptor> All { get; } =
    [
        TextureMethods.Quilting,
        TextureMethods.EfrosLeung,
        TextureMethods.Scanline,
        TextureMethods.Optimize,
        TextureMethods.HoleFilling,
        TextureMethods.Uncrop,
        TextureMethods.Transfer,
        Style.GatysMethods.Texture,
        Style.GatysMethods.Transfer,
        Style.FastStyleMethods.Stylize,
        Style.AdaInMethods.Stylize,
        TranslationMethods.Pix2Pix,
        TranslationMethods.CycleGan,
        StyleGanMethods.Generate,
        StyleGanMethods.Mix,
        InversionMethods.Invert,
        InversionMethods.SuperResolution,
        InversionMethods.Inpaint,
        InversionMethods.Sketch,
        InversionMethods.Colorize,
        LatentEditMethods.Morph,
        LatentEditMethods.Crossover,
        LatentEditMethods.Expression,
    ];

    /// <summary>The method with this id, or null.</summary>
    public static MethodDescriptor? Find(string id) => All.FirstOrDefault(m => m.Id == id);

    /// <summary>The methods of one area ("texture"), in registry order.</summary>
    public static IEnumerable<MethodDescriptor> InArea(string area) => All.Where(m => m.Area == area);
}
