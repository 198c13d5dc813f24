using Atelier.Imaging;

namespace Atelier.Methods;

/// <summary>An image input of an example: a built-in procedural sample (<see cref="ProceduralSamples"/>), so examples need no download.</summary>
public sealed record SampleImage(string Name, int Size, int SeedOffset = 0);

/// <summary>A mask input of an example: an ellipse in the middle of a picture of the given size.</summary>
public sealed record SampleMask(int Width, int Height, double Fraction = 0.35);

/// <summary>
/// A ready-made run of a method, for the demo, the README's pictures and the bench: values by parameter name, with
/// image inputs as built-in samples, and smaller values for a quick smoke run.
/// </summary>
public sealed record MethodExample(string Name, string Caption, IReadOnlyDictionary<string, object?> Values)
{
    /// <summary>Values that replace <see cref="Values"/> in a quick run (tiny sizes, few steps).</summary>
    public IReadOnlyDictionary<string, object?> Quick { get; init; } = new Dictionary<string, object?>();

    /// <summary>The values to run with: samples drawn (with <paramref name="seed"/>), the quick ones applied, the seed set.</summary>
    public Dictionary<string, object?> Resolve(bool quick, long seed)
    {
        var values = new Dictionary<string, object?>(Values, StringComparer.Ordinal);
        if (quick) foreach (var (k, v) in Quick) values[k] = v;
        foreach (var (k, v) in values.ToList())
            values[k] = v switch
            {
                SampleImage s => ProceduralSamples.Make(s.Name, s.Size, (int)seed + s.SeedOffset),
                SampleMask m => ProceduralSamples.EllipseMask(m.Width, m.Height, m.Fraction),
                _ => v,
            };
        values["Seed"] = seed;
        return values;
    }
}
