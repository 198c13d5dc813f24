using Atelier.Imaging;

namespace Atelier.Methods;

/// <summary>What a method parameter holds; each front end draws and reads it its own way.</summary>
public enum ParameterKind
{
    /// <summary>A whole number in [Min, Max].</summary>
    Int,
    /// <summary>A real number in [Min, Max].</summary>
    Float,
    Bool,
    /// <summary>One of <see cref="MethodParameter.Choices"/>.</summary>
    Choice,
    /// <summary>A random seed (a long); the same seed gives the same result.</summary>
    Seed,
    /// <summary>An output size: width and height (a square where a front end offers one number).</summary>
    Size,
    /// <summary>An RGB picture.</summary>
    Image,
    /// <summary>A one-channel mask over the picture named by <see cref="MethodParameter.Over"/>: 1 = selected.</summary>
    Mask,
    /// <summary>
    /// The axes the result tiles on (<see cref="TileAxes"/>; words: <see cref="TileAxesText.Names"/>). Naming it
    /// without a value means both; front ends also offer the result tiled 2x2, to see the repeat.
    /// </summary>
    Tiling,
    /// <summary>
    /// The perceptual network: a built-in name (<see cref="Atelier.Networks.FeatureNetworks.BuiltInNames"/>) or a
    /// VGG file the front end resolved (the CLI also takes catalogue names); run it through <see cref="MethodResources.Features"/>.
    /// </summary>
    Features,
    /// <summary>
    /// A trained model of <see cref="MethodParameter.Use"/>: the front end resolves a name (shipped, catalogue, or the
    /// studio's model list) to a file, which the method loads through <see cref="MethodResources.Model{T}"/>.
    /// </summary>
    Model,
    /// <summary>Free text the method parses and checks itself (a layer list, a latent range).</summary>
    Text,
    /// <summary>
    /// One or more RGB pictures, each with a weight (<see cref="WeightedImage"/>): styles to blend. A front end that
    /// offers one picture gives it weight 1.
    /// </summary>
    Images,
    /// A StyleGAN latent code (<see cref="Atelier.StyleGan.LatentSource"/>): a seed, or a code a front end holds (the
    /// CLI: a latent file; the studio: a finished inversion). The default is a seed.
    /// </summary>
    Latent,
}

/// <summary>
/// One input of a registered method, described once for every front end: its name in library terms (PascalCase, as
/// options records and <see cref="AtelierUsageException"/> templates name it), a label and help for people, its kind,
/// range and default. The CLI makes a flag of it (Window -> --window), the studio a form field (window).
/// </summary>
public sealed record MethodParameter(string Name, ParameterKind Kind, string Label)
{
    public string? Help { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>A slider's step (front ends may ignore it).</summary>
    public double? Step { get; init; }
    /// <summary>The value when none is given (null: <see cref="Required"/>, or absent when <see cref="Optional"/>).</summary>
    public object? Default { get; init; }
    public IReadOnlyList<string>? Choices { get; init; }
    /// <summary>Must be given (images and masks usually are).</summary>
    public bool Required { get; init; }
    /// <summary>May be left out: the method then works without it (its value is null).</summary>
    public bool Optional { get; init; }
    /// <summary>The method's main input: the CLI takes it as the positional argument.</summary>
    public bool Primary { get; init; }
    /// <summary>For masks: the image parameter the mask is painted over (same size).</summary>
    public string? Over { get; init; }
    /// <summary>For images: a built-in sample a front end may offer first (see Atelier.Imaging.ProceduralSamples), and its size.</summary>
    public string? Sample { get; init; }
    public int? SampleSize { get; init; }
    /// <summary>For sizes: the largest width and height, and the default square.</summary>
    public int? MaxSide { get; init; }
    /// <summary>For models: what the model is for (the names the CLI accepts, the catalogue kinds it may fetch).</summary>
    public Atelier.Models.ModelUse? Use { get; init; }
    /// <summary>For models: the architectures accepted (the studio lists the models it has of these kinds).</summary>
    public IReadOnlyList<Atelier.Checkpoints.ArchitectureKind>? Architectures { get; init; }
    /// <summary>
    /// Other names the parameter answers to, in library terms (Steps for Iterations): earlier spellings front ends keep
    /// accepting. A one-letter alias is a short form (the CLI's -n).
    /// </summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>
    /// For text: a list a front end may take in pieces (the CLI repeats the flag or takes several words); joined with
    /// commas. For models and masks: one or more (a decoder per level, a mask per style); a front end that offers one gives a list of one.
    /// </summary>
    public bool Repeatable { get; init; }
    /// <summary>
    /// For models: a network built into Atelier that stands in when none is chosen (its label; the value is then null),
    /// e.g. the seeded random-weight VGG-19 that decoders trained without a VGG file need.
    /// </summary>
    public string? BuiltIn { get; init; }
    /// <summary>For models: the files that load, in words, for a front end to say what to get when it has none.</summary>
    public string? Accepts { get; init; }

    /// <summary>The name in kebab case (BatchSize -> batch-size, NLayersD -> n-layers-d): how command lines spell it.</summary>
    public static string Kebab(string name)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append('-');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    public static MethodParameter Int(string name, string label, int min, int max, int value, string? help = null) =>
        new(name, ParameterKind.Int, label) { Min = min, Max = max, Step = 1, Default = value, Help = help };

    /// <summary>An int that may be left out (null: the method chooses, e.g. a block size from the sample).</summary>
    public static MethodParameter OptionalInt(string name, string label, int min, int max, string? help = null) =>
        new(name, ParameterKind.Int, label) { Min = min, Max = max, Step = 1, Optional = true, Help = help };

    public static MethodParameter Float(string name, string label, double min, double max, double value, double step, string? help = null) =>
        new(name, ParameterKind.Float, label) { Min = min, Max = max, Step = step, Default = value, Help = help };

    public static MethodParameter OptionalFloat(string name, string label, double min, double max, double step, string? help = null) =>
        new(name, ParameterKind.Float, label) { Min = min, Max = max, Step = step, Optional = true, Help = help };

    public static MethodParameter Bool(string name, string label, bool value, string? help = null) =>
        new(name, ParameterKind.Bool, label) { Default = value, Help = help };

    public static MethodParameter Choice(string name, string label, string value, IReadOnlyList<string> choices, string? help = null) =>
        new(name, ParameterKind.Choice, label) { Default = value, Choices = choices, Help = help };

    /// <summary>Which runtime computes a feed-forward network (<see cref="Atelier.Inference.InferenceEngine"/>); torch by default.</summary>
    public static MethodParameter Engine() =>
        Choice("Engine", "Engine", "torch", Atelier.Inference.InferenceEngines.Names,
            "torch (Atelier's layers) or onnxruntime (the same network exported to ONNX and run by ONNX Runtime on the CPU, equal to 1e-4: "
            + "faster for small generators and U-Nets, see docs/performance.md; tiles that share instance-norm statistics stay on torch)");

    public static MethodParameter Tiling(string name, string label, string? help = null) =>
        new(name, ParameterKind.Tiling, label) { Default = TileAxes.None, Choices = TileAxesText.Names, Help = help };

    public static MethodParameter Seed(string name = "Seed", string label = "Seed") =>
        new(name, ParameterKind.Seed, label) { Min = 0, Max = int.MaxValue, Default = 1L, Help = "the same seed gives the same result" };

    public static MethodParameter Size(string name, string label, int maxSide, int value, string? help = null) =>
        new(name, ParameterKind.Size, label) { Min = 1, Max = maxSide, MaxSide = maxSide, Default = (value, value), Help = help };

    public static MethodParameter Image(string name, string label, string? sample = null, int sampleSize = 64, bool primary = false, string? help = null) =>
        new(name, ParameterKind.Image, label) { Required = true, Sample = sample, SampleSize = sampleSize, Primary = primary, Help = help };

    /// <summary>The perceptual network, <see cref="Atelier.Networks.FeatureNetworks.Default"/> unless chosen.</summary>
    public static MethodParameter Features(string name = "Features", string label = "Feature network", string? help = null) =>
        new(name, ParameterKind.Features, label)
        {
            Default = Atelier.Networks.FeatureNetworks.Default, Choices = Atelier.Networks.FeatureNetworks.BuiltInNames,
            Help = help ?? "perceptual network: " + Atelier.Networks.FeatureNetworks.Help,
        };

    /// <summary>A trained model (required unless <paramref name="value"/> names a default, e.g. a shipped model).</summary>
    public static MethodParameter Model(string name, string label, Atelier.Models.ModelUse use, IReadOnlyList<Atelier.Checkpoints.ArchitectureKind> architectures,
        string? value = null, string? help = null) =>
        new(name, ParameterKind.Model, label) { Use = use, Architectures = architectures, Default = value, Required = value is null, Help = help };

    public static MethodParameter Text(string name, string label, string? value = null, string? help = null) =>
        new(name, ParameterKind.Text, label) { Default = value, Optional = value is null, Help = help };

    /// <summary>One or more weighted pictures (at least one is required).</summary>
    public static MethodParameter Images(string name, string label, string? sample = null, int sampleSize = 64, string? help = null) =>
        new(name, ParameterKind.Images, label) { Required = true, Sample = sample, SampleSize = sampleSize, Help = help };
    /// <summary>A latent code, the seed <paramref name="seed"/> unless given.</summary>
    public static MethodParameter Latent(string name, string label, long seed, string? help = null) =>
        new(name, ParameterKind.Latent, label) { Default = seed, Help = help };

    public static MethodParameter Mask(string name, string label, string over, string? help = null) =>
        new(name, ParameterKind.Mask, label) { Required = true, Over = over, Help = help };
}
