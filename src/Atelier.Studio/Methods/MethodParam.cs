namespace Atelier.Studio.Methods;

/// <summary>
/// One input of a method, described for the page so it can draw the form without knowing the method:
/// kind is int, float, choice, bool, text, seed, code (a seed or an inversion), image (upload or built-in sample), mask (painted over the image
/// named by <see cref="Over"/>), sketch (drawn on a canvas) or model (chosen from /api/models, those whose
/// kind is in <see cref="Kinds"/>). <see cref="Live"/> sliders re-run the method when moved.
/// </summary>
public sealed record MethodParam(string Name, string Label, string Kind)
{
    public double? Min { get; init; }
    public double? Max { get; init; }
    public double? Step { get; init; }
    public object? Default { get; init; }
    public IReadOnlyList<string>? Choices { get; init; }
    public string? Over { get; init; }
    /// <summary>For model params: the model kinds accepted (ids of <see cref="Atelier.Checkpoints.ArchitectureKind"/>).</summary>
    public IReadOnlyList<string>? Kinds { get; init; }
    /// <summary>
    /// For model params: the label of a network built into Atelier, offered after the files as the choice
    /// <see cref="BuiltInId"/> (e.g. the seeded random normalised VGG-19 that `adain train` uses by default).
    /// </summary>
    public string? BuiltIn { get; init; }
    /// <summary>
    /// For sliders over a StyleGAN generator's latents: the page lowers <see cref="Max"/> to the chosen generator's
    /// w+ length plus this (e.g. -1 for a crossover, which needs a latent after it), so the slider cannot leave the model.
    /// </summary>
    public int? LatentsMax { get; init; }
    /// <summary>For image params: may be left out (the page offers "none", chosen at first, and then sends nothing).</summary>
    public bool Optional { get; init; }
    public bool Live { get; init; }
    /// <summary>Not drawn on the page (a parameter the studio leaves at its default, e.g. a file on the server).</summary>
    public bool Hidden { get; init; }
    public string? Help { get; init; }
    /// <summary>For image params: the built-in sample offered first, and its size in pixels.</summary>
    public string? Sample { get; init; }
    public int? SampleSize { get; init; }
    /// <summary>For weighted pictures: a second, optional picture and its weight (the first weighs 1 - w), drawn after this one.</summary>
    public MethodMix? Mix { get; init; }

    public static MethodParam Int(string name, string label, int min, int max, int value, string? help = null) =>
        new(name, label, "int") { Min = min, Max = max, Step = 1, Default = value, Help = help };
    public static MethodParam Float(string name, string label, double min, double max, double value, double step, bool live = false, string? help = null) =>
        new(name, label, "float") { Min = min, Max = max, Step = step, Default = value, Live = live, Help = help };
    public static MethodParam Choice(string name, string label, string value, params string[] choices) =>
        new(name, label, "choice") { Default = value, Choices = choices };
    public static MethodParam Bool(string name, string label, bool value) => new(name, label, "bool") { Default = value };
    /// <summary>The value a model param sends for its <see cref="BuiltIn"/> network.</summary>
    public const string BuiltInId = "builtin";

    public static MethodParam Image(string name, string label, string? sample = "bricks", int sampleSize = 64) =>
        new(name, label, "image") { Sample = sample, SampleSize = sampleSize };
    public static MethodParam Mask(string name, string label, string over) => new(name, label, "mask") { Over = over };
    /// <summary>A canvas to draw on, white or holding <paramref name="sample"/> (a built-in picture's name) to draw over.</summary>
    public static MethodParam Sketch(string name, string label, int size = 256, string? sample = null) => new(name, label, "sketch") { SampleSize = size, Sample = sample };
    public static MethodParam Model(string name, string label, params Atelier.Checkpoints.ArchitectureKind[] kinds) =>
        new(name, label, "model") { Kinds = kinds.Select(Atelier.Checkpoints.KindIds.Of).ToList() };
    /// <summary>A latent code: "seed:N" or "job:ID" (a finished inversion); the page offers its inversions.</summary>
    public static MethodParam Code(string name, string label, long defaultSeed) => new(name, label, "code") { Default = defaultSeed };
    public static MethodParam Seed(string name = "seed", string label = "Seed") => new(name, label, "seed") { Min = 0, Max = int.MaxValue, Default = 1 };
}

/// <summary>The second picture of a weighted mix (<see cref="MethodParam.Mix"/>) and the slider for its weight.</summary>
public sealed record MethodMix(MethodParam Image, MethodParam Weight);
