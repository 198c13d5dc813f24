using System.Text.Json;

namespace Atelier.Models;

/// <summary>
/// The published models Atelier knows by name: data, not code (<c>catalogue.json</c>, embedded in the library; each
/// entry cites the publisher's script or README its address comes from). Another catalogue (a test's, a site's) can
/// be read from a file or stream with the same layout.
/// </summary>
public sealed class Catalogue
{
    public const string ResourceName = "Atelier.Models.catalogue.json";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    static readonly Lazy<Catalogue> BuiltInCatalogue = new(() =>
    {
        using var stream = typeof(Catalogue).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the catalogue resource {ResourceName} is missing from the library");
        return Read(stream, "the built-in catalogue");
    });

    readonly Dictionary<string, CatalogueEntry> _byName;

    public Catalogue(IEnumerable<CatalogueEntry> entries)
    {
        Entries = [.. entries];
        _byName = new(StringComparer.Ordinal);
        foreach (var e in Entries)
        {
            if (string.IsNullOrWhiteSpace(e.Name) || string.IsNullOrWhiteSpace(e.File) || string.IsNullOrWhiteSpace(e.Kind))
                throw new AtelierException($"catalogue entry '{e.Name}': needs a name, a kind and a file");
            // The name and file become folder and file names in the cache: nothing that could leave it.
            if (!IsPlainName(e.Name) || !IsPlainName(e.File))
                throw new AtelierException($"catalogue entry '{e.Name}': name and file must be plain names (letters, digits, '.', '-', '_'), got '{e.Name}' / '{e.File}'");
            if (!_byName.TryAdd(e.Name, e)) throw new AtelierException($"catalogue: the name '{e.Name}' appears twice");
        }
    }

    /// <summary>The catalogue that comes with Atelier.</summary>
    public static Catalogue BuiltIn => BuiltInCatalogue.Value;

    public IReadOnlyList<CatalogueEntry> Entries { get; }

    /// <summary>The entry called <paramref name="name"/>, or null.</summary>
    public CatalogueEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The entry, or a one-line error listing a few names.</summary>
    public CatalogueEntry Get(string name) => Find(name)
        ?? throw new AtelierException($"{name}: not in the model catalogue (e.g. {string.Join(", ", Entries.Take(6).Select(e => e.Name))}; {Entries.Count} in all)");

    /// <summary>Reads a catalogue file (a JSON array of entries).</summary>
    public static Catalogue Load(string path)
    {
        if (!File.Exists(path)) throw new AtelierException($"{path}: no such catalogue file");
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static Catalogue Read(Stream stream, string what)
    {
        try
        {
            var entries = JsonSerializer.Deserialize<List<CatalogueEntry>>(stream, Json)
                ?? throw new AtelierException($"{what}: empty catalogue");
            return new Catalogue(entries);
        }
        catch (JsonException e) { throw new AtelierException($"{what}: not a valid catalogue ({e.Message})"); }
    }

    public static void Write(string path, IEnumerable<CatalogueEntry> entries) =>
        IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(entries.ToList(), new JsonSerializerOptions(Json) { WriteIndented = true }));

    internal static bool IsPlainName(string s) =>
        s.Length is > 0 and < 200 && s != "." && s != ".." && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
