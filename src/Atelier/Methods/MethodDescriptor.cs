using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Methods;

/// <summary>What a method run gives back: the picture, and figures worth reporting (seed, timings, measures).</summary>
public sealed record MethodResult(Image Image, IReadOnlyDictionary<string, object> Info)
{
    /// <summary>Data later runs may build on (an inversion's latent code); front ends keep it, never show it.</summary>
    public object? Artifact { get; init; }

    /// <summary>
    /// The pictures <see cref="Image"/> gathers (a sheet of seeds), by name, for front ends that write each apart (the
    /// CLI into a folder); null when the result is one picture.
    /// </summary>
    public IReadOnlyList<(string Name, Image Image)>? Parts { get; init; }
}

/// <summary>
/// One method, described once for every front end (CLI, studio, demo, bench): its id (area.verb, e.g.
/// "texture.quilting"), title, one line about it, typed parameters, a check of their combination, and how to run it.
/// </summary>
public sealed record MethodDescriptor
{
    /// <summary>"area.verb": the CLI command is `atelier AREA VERB`, the studio's API id the same string.</summary>
    public required string Id { get; init; }
    public required string Title { get; init; }
    /// <summary>What it does, in one line for people.</summary>
    public required string About { get; init; }
    /// <summary>The paper or reference it follows.</summary>
    public string? Reference { get; init; }
    public required IReadOnlyList<MethodParameter> Parameters { get; init; }
    /// <summary>Checks that depend on several values (a window larger than the sample); throws <see cref="AtelierUsageException"/>.</summary>
    public Action<MethodValues>? Validate { get; init; }
    /// <summary>Runs the method on checked values; the context carries progress, cancellation, preview and borrowed networks.</summary>
    public required Func<MethodValues, MethodContext, MethodResult> Run { get; init; }
    /// <summary>
    /// For methods that can take many pictures in one go (a folder on the command line): a stream of values that differ
    /// only in their primary picture, at most this many in one pass (same-sized pictures batched where the method can),
    /// sharing the model they load; results in the stream's order, each as soon as its pass is done. Null: one at a time only.
    /// </summary>
    public Func<IEnumerable<MethodValues>, int, MethodContext, IEnumerable<MethodResult>>? RunMany { get; init; }
    /// <summary>Ready-made runs on built-in material: the demo shows them, the bench times them.</summary>
    public IReadOnlyList<MethodExample> Examples { get; init; } = [];
    /// <summary>False for methods that run without libtorch (the non-parametric texture engines): front ends then need not load it.</summary>
    public bool UsesTorch { get; init; } = true;
    /// <summary>
    /// True for methods that improve a picture step by step (an optimisation) and show it through
    /// <see cref="MethodContext.ShowPreview(int, Func{Imaging.Image})"/>: the studio shows it live, the CLI can write the steps as frames.
    /// </summary>
    public bool ShowsSteps { get; init; }
    /// True for a picture-to-picture map with nothing carried between pictures (a trained feed-forward network): front
    /// ends may run it on many pictures in turn with the same values (the CLI on a folder of images).
    /// </summary>
    public bool PerImage { get; init; }
    /// <summary>
    /// True when the result is a sheet of named pictures (<see cref="MethodResult.Parts"/>): front ends that write files
    /// may write them apart (the CLI into a folder, when the output is not an image file).
    /// </summary>
    public bool MakesSheet { get; init; }

    /// <summary>True where front ends may run the method on many pictures in one go: batched (<see cref="RunMany"/>) or in turn (<see cref="PerImage"/>).</summary>
    public bool TakesMany => RunMany is not null || PerImage;

    public string Area => Id[..Id.IndexOf('.')];
    public string Verb => Id[(Id.IndexOf('.') + 1)..];

    /// <summary>The parameter the CLI takes as its positional argument (null: none).</summary>
    public MethodParameter? Primary => Parameters.FirstOrDefault(p => p.Primary);
}
