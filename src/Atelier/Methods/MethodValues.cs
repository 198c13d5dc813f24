using System.Globalization;
using Atelier.Imaging;

namespace Atelier.Methods;

/// <summary>
/// A method's inputs after validation: every parameter present (given, or its default; null only for optional ones),
/// of its kind's type (int, double, bool, string, long, (int, int), <see cref="Image"/>, a list of <see cref="WeightedImage"/>, <see cref="TileAxes"/>), in range. Front ends build
/// it with <see cref="Create"/> from what they parsed; a bad value is an <see cref="AtelierUsageException"/> naming the
/// parameter, which each front end spells its own way.
/// </summary>
public sealed class MethodValues
{
    readonly Dictionary<string, object?> _values;

    MethodValues(Dictionary<string, object?> values) => _values = values;

    /// <summary>Checks <paramref name="given"/> (by parameter name; missing ones take their defaults) against the method's parameters.</summary>
    public static MethodValues Create(MethodDescriptor method, IReadOnlyDictionary<string, object?> given)
    {
        foreach (var name in given.Keys)
            if (method.Parameters.All(p => p.Name != name))
                throw new ArgumentException($"{method.Id} has no parameter {name}");
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in method.Parameters)
        {
            given.TryGetValue(p.Name, out var value);
            values[p.Name] = value is null ? Default(p) : Check(p, value);
        }
        foreach (var p in method.Parameters.Where(p => p.Kind == ParameterKind.Mask && p.Over is not null))
            foreach (var mask in MaskList(values[p.Name]))
                if (values[p.Over!] is Image image && (mask.Width != image.Width || mask.Height != image.Height))
                    throw new AtelierUsageException($"{{{p.Name}}} is {mask.Width}x{mask.Height} but {{{p.Over}}} is {image.Width}x{image.Height}; they must be the same size");
        var result = new MethodValues(values);
        method.Validate?.Invoke(result);
        return result;
    }

    static object? Default(MethodParameter p)
    {
        if (p.Required) throw new AtelierUsageException($"{{{p.Name}}}: required ({p.Label.ToLowerInvariant()})");
        // A latent's default is a seed, held as the code it names.
        return p.Kind == ParameterKind.Latent && p.Default is not null ? Check(p, p.Default) : p.Default;
    }

    static object Check(MethodParameter p, object value)
    {
        switch (p.Kind)
        {
            case ParameterKind.Int:
                int i = Convert.ToInt32(value, CultureInfo.InvariantCulture);
                InRange(p, i);
                return i;
            case ParameterKind.Float:
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (!double.IsFinite(d)) throw new AtelierUsageException($"{{{p.Name}}} {d}: must be a finite number");
                InRange(p, d);
                return d;
            case ParameterKind.Seed:
                long s = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                InRange(p, s);
                return s;
            case ParameterKind.Bool:
                return Convert.ToBoolean(value, CultureInfo.InvariantCulture);
            case ParameterKind.Choice:
                var c = Convert.ToString(value, CultureInfo.InvariantCulture)!;
                if (!p.Choices!.Contains(c)) throw new AtelierUsageException($"{{{p.Name}}} {c}: expected {string.Join(", ", p.Choices!)}");
                return c;
            case ParameterKind.Size:
                var (w, h) = value is ValueTuple<int, int> t ? t : value is int n ? (n, n) : ParseSize(p, Convert.ToString(value, CultureInfo.InvariantCulture)!);
                if (w < 1 || h < 1 || w > p.MaxSide || h > p.MaxSide)
                    throw new AtelierUsageException($"{{{p.Name}}} {w}x{h}: width and height must be between 1 and {p.MaxSide}");
                return (w, h);
            case ParameterKind.Tiling:
                if (value is TileAxes axes) return axes;
                if (value is bool on) return on ? TileAxes.Both : TileAxes.None;
                var word = Convert.ToString(value, CultureInfo.InvariantCulture)!;
                return TileAxesText.Parse(word)
                    ?? throw new AtelierUsageException($"{{{p.Name}}} '{word}': expected {string.Join(", ", TileAxesText.Names)}");
            case ParameterKind.Model when p.Repeatable && value is not string && value is IEnumerable<string> files:
                List<string> paths = [.. files];
                if (paths.Count == 0 || paths.Any(string.IsNullOrWhiteSpace)) throw new AtelierUsageException($"{{{p.Name}}}: empty; name a {p.Label.ToLowerInvariant()}");
                return paths;
            case ParameterKind.Mask when p.Repeatable && value is IEnumerable<Image> masks:
                return masks.ToList();
            case ParameterKind.Features:
            case ParameterKind.Model:
            case ParameterKind.Text:
                var text = Convert.ToString(value, CultureInfo.InvariantCulture)!;
                if (p.Kind != ParameterKind.Text && string.IsNullOrWhiteSpace(text)) throw new AtelierUsageException($"{{{p.Name}}}: empty; name a {p.Label.ToLowerInvariant()}");
                return text;
            case ParameterKind.Images:
                List<WeightedImage> list = value switch
                {
                    Image one => [new WeightedImage(one)],
                    WeightedImage single => [single],
                    IEnumerable<WeightedImage> many => [.. many],
                    _ => throw new ArgumentException($"{p.Name}: expected images, got {value.GetType().Name}"),
                };
                if (list.Count == 0) throw new AtelierUsageException($"{{{p.Name}}}: at least one {p.Label.ToLowerInvariant()} picture is needed");
                foreach (var item in list)
                    if (!double.IsFinite(item.Weight)) throw new AtelierUsageException($"{{{p.Name}}} weight {item.Weight}: must be a finite number");
                return list;
            case ParameterKind.Latent:
                return value switch
                {
                    Atelier.StyleGan.LatentSource source => source,
                    long or int => new Atelier.StyleGan.LatentSource.Seed(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
                    _ => Atelier.StyleGan.LatentSource.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, p.Name),
                };
            case ParameterKind.Image:
            case ParameterKind.Mask:
                return value as Image ?? throw new ArgumentException($"{p.Name}: expected an Image, got {value.GetType().Name}");
            default:
                throw new ArgumentOutOfRangeException(nameof(p), p.Kind, null);
        }
    }

    static void InRange(MethodParameter p, double v)
    {
        if ((p.Min is double min && v < min) || (p.Max is double max && v > max))
            throw new AtelierUsageException($"{{{p.Name}}} {v.ToString(CultureInfo.InvariantCulture)}: must be between {p.Min?.ToString(CultureInfo.InvariantCulture)} and {p.Max?.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>"WxH" or "N" (a square).</summary>
    public static (int Width, int Height) ParseSize(MethodParameter p, string text)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 1 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n)) return (n, n);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h))
            throw new AtelierUsageException($"{{{p.Name}}} '{text}': expected WIDTHxHEIGHT (e.g. 256x256) or one number for a square");
        return (w, h);
    }

    public int Int(string name) => (int)_values[name]!;
    public int? OptionalInt(string name) => (int?)_values[name];
    public double Float(string name) => (double)_values[name]!;
    public double? OptionalFloat(string name) => (double?)_values[name];
    public bool Bool(string name) => (bool)_values[name]!;
    public string Choice(string name) => (string)_values[name]!;
    public long Seed(string name = "Seed") => (long)_values[name]!;
    public (int Width, int Height) Size(string name) => ((int, int))_values[name]!;
    public Image Image(string name) => (Image)_values[name]!;
    public Image? OptionalImage(string name) => (Image?)_values[name];
    /// <summary>An <see cref="ParameterKind.Images"/> value: one or more pictures with their weights.</summary>
    public IReadOnlyList<WeightedImage> Images(string name) => (IReadOnlyList<WeightedImage>)_values[name]!;
    public TileAxes Tiling(string name) => (TileAxes)_values[name]!;
    /// <summary>A <see cref="ParameterKind.Features"/>, <see cref="ParameterKind.Model"/> or <see cref="ParameterKind.Text"/> value.</summary>
    public string Text(string name) => (string)_values[name]!;
    public string? OptionalText(string name) => (string?)_values[name];
    /// <summary>A <see cref="MethodParameter.Repeatable"/> model's files (one or more), or a single one's as a list of one.</summary>
    public IReadOnlyList<string> Texts(string name) => _values[name] switch { string one => [one], IReadOnlyList<string> many => many, _ => [] };
    /// <summary>A <see cref="MethodParameter.Repeatable"/> mask's pictures (none when left out).</summary>
    public IReadOnlyList<Image> Masks(string name) => MaskList(_values[name]);

    static IReadOnlyList<Image> MaskList(object? value) => value switch { Image one => [one], IReadOnlyList<Image> many => many, _ => [] };
    public Atelier.StyleGan.LatentSource Latent(string name) => (Atelier.StyleGan.LatentSource)_values[name]!;

    /// <summary>The axes the result tiles on, for a method with a <see cref="ParameterKind.Tiling"/> parameter (None otherwise).</summary>
    public TileAxes Tiles(MethodDescriptor method) =>
        method.Parameters.FirstOrDefault(p => p.Kind == ParameterKind.Tiling) is { } p ? Tiling(p.Name) : TileAxes.None;

    /// <summary>Every value by name (images as their size), for reports.</summary>
    public IReadOnlyDictionary<string, object?> Describe() => _values.ToDictionary(kv => kv.Key, kv => kv.Value switch
    {
        Image img => $"{img.Width}x{img.Height}",
        IReadOnlyList<WeightedImage> list => list.Select(w => $"{w.Image.Width}x{w.Image.Height}:{w.Weight.ToString(CultureInfo.InvariantCulture)}").ToList(),
        IReadOnlyList<Image> masks => masks.Select(m => $"{m.Width}x{m.Height}").ToList(),
        ValueTuple<int, int> s => $"{s.Item1}x{s.Item2}",
        TileAxes t => t.Name(),
        Atelier.StyleGan.LatentSource l => l.Label,
        var v => v,
    });
}
