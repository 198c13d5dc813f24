using Atelier.Imaging;
using Atelier.Translation;

namespace Atelier.Quality;

/// <summary>
/// Where `atelier metrics` finds its pictures: two files, or two folders whose pictures are matched by file name
/// (without the extension, so out/cat.png pairs with targets/cat.jpg), or two folders as sets.
/// </summary>
public static class MetricInputs
{
    /// <summary>
    /// The pairs of two folders, in name order. A picture without a namesake on the other side, or two pictures of one
    /// name in a folder, is an error naming them: figures over a partial match would silently mean something else.
    /// </summary>
    public static IReadOnlyList<(string Name, string A, string B)> MatchByName(string folderA, string folderB)
    {
        var a = ByName(folderA);
        var b = ByName(folderB);
        var onlyA = a.Keys.Where(k => !b.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var onlyB = b.Keys.Where(k => !a.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (onlyA.Count > 0 || onlyB.Count > 0)
            throw new AtelierException($"{folderA} and {folderB} do not match by file name: "
                + string.Join("; ", new[] { (onlyA, folderA), (onlyB, folderB) }.Where(s => s.Item1.Count > 0).Select(s => $"only in {s.Item2}: {Names(s.Item1)}")));
        return a.Keys.Order(StringComparer.Ordinal).Select(k => (k, a[k], b[k])).ToList();
    }

    /// <summary>The picture files of a folder as a set, in name order.</summary>
    public static IReadOnlyList<string> Set(string folder) => TranslationData.ImagesIn(folder);

    /// <summary>Loads a picture for a figure; an unreadable file is an error naming it.</summary>
    public static Image Load(string path) => ImageIO.Load(path);

    static Dictionary<string, string> ByName(string folder)
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in TranslationData.ImagesIn(folder))
        {
            var name = Path.GetFileNameWithoutExtension(f);
            if (byName.TryGetValue(name, out var other))
                throw new AtelierException($"{folder}: {Path.GetFileName(other)} and {Path.GetFileName(f)} share the name {name}; pairs are matched by name, so keep one");
            byName[name] = f;
        }
        return byName;
    }

    static string Names(List<string> names) => string.Join(", ", names.Take(5)) + (names.Count > 5 ? $" and {names.Count - 5} more" : "");
}
