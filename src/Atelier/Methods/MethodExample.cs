using Atelier.Imaging;

namespace Atelier.Methods;

/// <summary>An image input of an example: a built-in procedural sample (<see cref="ProceduralSamples"/>), so examples need no download.</summary>
public sealed record SampleImage(string Name, int Size, int SeedOffset = 0);

/// <summary>
/// An image input of an example: a photo that ships with Atelier (<see cref="ShippedPictures.Photos"/>), scaled to this
/// shorter side; for the methods that say little on procedural samples (style transfer, translation).
/// </summary>
public sealed record SamplePhoto(string Name, int ShorterSide);

/// <summary>An image input of an example: a painting that ships with Atelier (<see cref="ShippedPictures.Paintings"/>), scaled to this shorter side.</summary>
public sealed record SamplePainting(string Name, int ShorterSide);

/// <summary>
/// An image input of an example: a letter (or a word of letters) that ships with Atelier (<see cref="ShippedPictures.Glyphs"/>),
/// <paramref name="Side"/> px high: as shipped, or area-averaged to a smaller height (a low-resolution observation).
/// </summary>
public sealed record SampleGlyph(string Name, int Side = 32);

/// <summary>
/// An image input of an example: the XDoG sketch (dark strokes on white, as `data pairs --edges xdog` draws them) of a
/// shipped photo brought to this shorter side: what the shipped pix2pix turns back into a photo.
/// </summary>
public sealed record SampleSketch(string Photo, int ShorterSide)
{
    /// <summary>The sketch itself (the studio serves the same picture as the sample PHOTO-sketch).</summary>
    public Image Draw() => Atelier.Translation.Data.EdgeDetection.Xdog(
        ImageResize.ResizeShorterSide(ImageOps.ToRgb(ShippedPictures.Photos.Find(Photo).Load()), ShorterSide));
}

/// <summary>One picture of a weighted list input (styles to blend): a sample, photo or painting, and its weight.</summary>
public sealed record WeightedSample(object Sample, double Weight);

/// <summary>A mask input of an example: an ellipse in the middle of a picture of the given size.</summary>
public sealed record SampleMask(int Width, int Height, double Fraction = 0.35);

/// <summary>
/// A ready-made run of a method, for the demo, the README's pictures and the bench: values by parameter name, with
/// image inputs as built-in samples or shipped photos, paintings and glyphs, models by the names of shipped ones, and smaller values for a
/// quick smoke run.
/// </summary>
public sealed record MethodExample(string Name, string Caption, IReadOnlyDictionary<string, object?> Values)
{
    /// <summary>Values that replace <see cref="Values"/> in a quick run (tiny sizes, few steps).</summary>
    public IReadOnlyDictionary<string, object?> Quick { get; init; } = new Dictionary<string, object?>();

    /// <summary>
    /// The values to run <paramref name="method"/> with: samples drawn (with <paramref name="seed"/>), the quick ones
    /// applied, the method's seed set where it takes one.
    /// </summary>
    public Dictionary<string, object?> Resolve(MethodDescriptor method, bool quick, long seed)
    {
        var values = new Dictionary<string, object?>(Values, StringComparer.Ordinal);
        if (quick) foreach (var (k, v) in Quick) values[k] = v;
        foreach (var (k, v) in values.ToList())
            values[k] = v switch
            {
                SampleMask m => ProceduralSamples.EllipseMask(m.Width, m.Height, m.Fraction),
                IEnumerable<WeightedSample> list => list.Select(w => new WeightedImage(Draw(w.Sample, seed)!, w.Weight)).ToList(),
                _ => Draw(v, seed) ?? v,
            };
        if (method.Parameters.Any(p => p.Name == "Seed")) values["Seed"] = seed;
        return values;
    }

    /// <summary>The picture a sample stands for; null for any other value.</summary>
    static Image? Draw(object? sample, long seed) => sample switch
    {
        SampleImage s => ProceduralSamples.Make(s.Name, s.Size, (int)seed + s.SeedOffset),
        SamplePhoto p => Shipped(ShippedPictures.Photos, p.Name, p.ShorterSide),
        SamplePainting p => Shipped(ShippedPictures.Paintings, p.Name, p.ShorterSide),
        SampleGlyph g => Glyph(g),
        SampleSketch k => k.Draw(),
        _ => null,
    };

    static Image Glyph(SampleGlyph g)
    {
        var image = ImageOps.ToRgb(ShippedPictures.Glyphs.Find(g.Name).Load());
        return image.Height == g.Side ? image
            : ImageResize.Resize(image, Math.Max(1, (int)Math.Round((double)image.Width * g.Side / image.Height)), g.Side, ResizeFilter.Area);
    }

    static Image Shipped(ShippedPictures set, string name, int shorterSide) =>
        ImageResize.ResizeShorterSide(ImageOps.ToRgb(set.Find(name).Load()), shorterSide);

    /// <summary>
    /// <paramref name="given"/> with each model parameter's name (a shipped model's, or a catalogue one already fetched)
    /// resolved to its file, as a front end resolves it: the values the method runs on.
    /// </summary>
    public static Dictionary<string, object?> WithModelFiles(MethodDescriptor method, IReadOnlyDictionary<string, object?> given)
    {
        var resolved = new Dictionary<string, object?>(given, StringComparer.Ordinal);
        foreach (var p in method.Parameters.Where(p => p.Kind == ParameterKind.Model))
            if ((given.GetValueOrDefault(p.Name) ?? p.Default) is string name) resolved[p.Name] = Atelier.Models.ModelResolver.Resolve(name, p.Use!);
        return resolved;
    }
}
