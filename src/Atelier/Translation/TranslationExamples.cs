using Atelier.Methods;
using Atelier.Models;

namespace Atelier.Translation;

/// <summary>
/// The translation methods' examples on the models Atelier ships: pix2pix from XDoG sketches to photos
/// (models/pix2pix-sketch), on sketches of the shipped photos, and the CycleGAN between serif and sans-serif capitals
/// (models/cyclegan-serif-sans, 128 px), run both ways on words set in typefaces it never saw (glyphs/). A build
/// without a model has no examples for it, so the demo and the bench skip the method rather than show random weights.
/// </summary>
static class TranslationExamples
{
    /// <summary>The shipped CycleGAN's name (models/NAME/): G_A serif to sans-serif, G_B back.</summary>
    public const string CycleGanModel = "cyclegan-serif-sans";

    /// <summary>Whether this build ships the CycleGAN (models/ beside the program).</summary>
    public static bool CycleGanShipped { get; } = ShippedModels.Ships(CycleGanModel);

    /// <summary>The CycleGAN method's default generator pair: the shipped one, or none (a model must then be given).</summary>
    public static string? CycleGanDefault => CycleGanShipped ? CycleGanModel : null;

    /// <summary>The CycleGAN method's default picture: a serif word the shipped run never saw, or a built-in sample without it.</summary>
    public static string CycleGanPicture => CycleGanShipped ? "nimbus-roman-SERIF" : "pebbles";

    /// <summary>The shipped pix2pix generator's name (models/NAME/): XDoG sketch to photo, 128 px crops of Debian wallpapers.</summary>
    public const string Pix2PixModel = "pix2pix-sketch";

    /// <summary>Whether this build ships the pix2pix generator.</summary>
    public static bool Pix2PixShipped { get; } = ShippedModels.Ships(Pix2PixModel);

    /// <summary>The pix2pix method's default generator: the shipped one, or none.</summary>
    public static string? Pix2PixDefault => Pix2PixShipped ? Pix2PixModel : null;

    /// <summary>The pix2pix method's default picture: the sketch of a shipped photo (a studio sample), or a built-in sample without the model.</summary>
    public static string Pix2PixPicture => Pix2PixShipped ? "clock-sketch" : "pebbles";

    /// <summary>Sketches of the shipped photos (none of which the generator saw), at the demo's size and at a quick one.</summary>
    public static IReadOnlyList<MethodExample> Pix2Pix() => !Pix2PixShipped ? [] :
    [
        .. from photo in Atelier.Imaging.ShippedPictures.Photos.All()
           select new MethodExample($"sketch-{photo.Name}", "the sketch drawn back into a photo",
               new Dictionary<string, object?> { ["Model"] = Pix2PixModel, ["Sketch"] = new SampleSketch(photo.Name, 256) })
               { Quick = new Dictionary<string, object?> { ["Sketch"] = new SampleSketch(photo.Name, 128) } },
    ];

    public static IReadOnlyList<MethodExample> CycleGan() => !CycleGanShipped ? [] :
    [
        Example("glyph-serif-to-sans", "serif to sans-serif (G_A): Nimbus Roman, a typeface the run never saw, loses its serifs and keeps its letters",
            "nimbus-roman-SERIF", "AtoB"),
        Example("glyph-sans-to-serif", "sans-serif to serif (G_B): Go Medium, also unseen, gains serifs",
            "go-medium-SANS", "BtoA"),
    ];

    static MethodExample Example(string name, string caption, string glyph, string direction) =>
        new(name, caption, new Dictionary<string, object?>
        {
            ["Model"] = CycleGanModel, ["Image"] = new SampleGlyph(glyph, 128), ["Direction"] = direction,
        })
        { Quick = new Dictionary<string, object?> { ["Image"] = new SampleGlyph(glyph, 64) } };
}
