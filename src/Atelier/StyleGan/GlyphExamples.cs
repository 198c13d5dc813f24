using Atelier.Methods;
using Atelier.Models;

namespace Atelier.StyleGan;

/// <summary>
/// The StyleGAN methods' examples on the generator Atelier ships (models/stylegan-glyphs: letters of 800 typefaces at
/// 32 px), with the shipped glyphs of typefaces it never saw (glyphs/) as pictures to invert. A build without that
/// model has no StyleGAN examples, so the demo and the bench skip the methods rather than show random weights.
/// </summary>
static class GlyphExamples
{
    /// <summary>The shipped generator's name (models/NAME/).</summary>
    public const string Model = "stylegan-glyphs";

    /// <summary>Adam steps of the inversions: enough for a 32 px letter to settle; a quick run takes a handful.</summary>
    const int Steps = 300;

    /// <summary>Whether this build ships the generator (models/ beside the program).</summary>
    public static bool Shipped { get; } = ShippedModels.Ships(Model);

    /// <summary>The StyleGAN methods' default generator: the shipped one, or none (a model must then be given).</summary>
    public static string? DefaultModel => Shipped ? Model : null;

    /// <summary>The inversions' default picture: a shipped glyph the generator never saw, or a built-in sample without it.</summary>
    public static string DefaultPicture(string glyph, string sample) => Shipped ? glyph : sample;

    static MethodExample Example(string name, string caption, Dictionary<string, object?> values, Dictionary<string, object?>? quick = null)
    {
        values["Model"] = Model;
        return new MethodExample(name, caption, values) { Quick = quick ?? [] };
    }

    static IReadOnlyList<MethodExample> IfShipped(Func<IReadOnlyList<MethodExample>> examples) => Shipped ? examples() : [];

    public static IReadOnlyList<MethodExample> Generate() => IfShipped(() =>
    [
        Example("glyph-seeds", "seeds 1-16: one z each", new() { ["Seeds"] = "1-16" }, new() { ["Seeds"] = "1-4" }),
        Example("glyph-seeds-truncated", "the same seeds at truncation 0.6: w pulled toward the mean, tidier and more alike",
            new() { ["Seeds"] = "1-16", ["Truncation"] = 0.6 }, new() { ["Seeds"] = "1-4" }),
    ]);

    public static IReadOnlyList<MethodExample> Mix() => IfShipped(() =>
    [
        Example("glyph-mixing-coarse", "coarse latents (4-8 px) from the columns: the columns' letters in the rows' typefaces",
            new() { ["Rows"] = "1,2,3,4", ["Cols"] = "5,6,7,8", ["Layers"] = "coarse" }, new() { ["Rows"] = "1,2", ["Cols"] = "5,6" }),
        Example("glyph-mixing-middle", "middle latents (16-32 px) from the columns: the rows' letters, the columns' strokes",
            new() { ["Rows"] = "1,2,3,4", ["Cols"] = "5,6,7,8", ["Layers"] = "middle" }, new() { ["Rows"] = "1,2", ["Cols"] = "5,6" }),
    ]);

    static Dictionary<string, object?> Quick() => new() { ["Steps"] = 5 };

    public static IReadOnlyList<MethodExample> Invert() => IfShipped(() =>
    [
        Example("glyph-invert-wplus", "w+ inversion of an R from a typeface the generator never saw",
            new() { ["Image"] = new SampleGlyph("goudy-R"), ["Steps"] = Steps, ["Space"] = "w+" }, Quick()),
        Example("glyph-invert-w", "the same in w: one code for every layer, closer to what the generator draws",
            new() { ["Image"] = new SampleGlyph("goudy-R"), ["Steps"] = Steps, ["Space"] = "w" }, Quick()),
    ]);

    public static IReadOnlyList<MethodExample> SuperResolution() => IfShipped(() =>
    [
        Example("glyph-superres", "an 8 px G enlarged to 32 px: the generator's letter whose downsampling matches it",
            new() { ["Image"] = new SampleGlyph("goudy-G", 8), ["Factor"] = 4, ["Steps"] = Steps }, Quick()),
    ]);

    public static IReadOnlyList<MethodExample> Inpaint() => IfShipped(() =>
    [
        Example("glyph-inpaint", "the hole filled with what fits the rest of the letter",
            new() { ["Image"] = new SampleGlyph("roboto-R"), ["Mask"] = new SampleMask(32, 32, 0.4), ["Steps"] = Steps }, Quick()),
    ]);

    public static IReadOnlyList<MethodExample> Sketch() => IfShipped(() =>
    [
        Example("glyph-sketch", "a single-stroke A (Routed Gothic, a plotter's font) read as a sketch: a letter with those edges",
            new() { ["Sketch"] = new SampleGlyph("routed-gothic-A"), ["Steps"] = Steps }, Quick()),
    ]);

    public static IReadOnlyList<MethodExample> Morph() => IfShipped(() =>
    [
        Example("glyph-morph", "seed 1 to seed 2 in w+, eight frames", new() { ["From"] = 1L, ["To"] = 2L, ["Frames"] = 8 }),
    ]);

    public static IReadOnlyList<MethodExample> Crossover() => IfShipped(() =>
    [
        Example("glyph-crossover", "latents 0-3 from seed 1, the rest from seed 2", new() { ["Shallow"] = 1L, ["Deep"] = 2L, ["Split"] = 4 }),
    ]);

    public static IReadOnlyList<MethodExample> Expression() => IfShipped(() =>
    [
        Example("glyph-expression", "seed 1 moved by seed 3 minus seed 2", new() { ["Base"] = 1L, ["Neutral"] = 2L, ["Expressive"] = 3L, ["Strength"] = 1.0 }),
    ]);
}
