using Atelier.Runtime;

namespace Atelier.Models;

/// <summary>What a user's model argument turned out to be: a file, a shipped model, a catalogue entry, or nothing known.</summary>
public sealed record ResolvedModel(string Input, string Path, ShippedModel? Shipped, CatalogueEntry? Entry)
{
    /// <summary>A catalogue entry whose file is not in the cache yet.</summary>
    public bool NeedsFetch => Entry is not null && !File.Exists(Path);
}

/// <summary>
/// The one place a model argument (<c>candy</c>, <c>vgg19</c>, <c>horse2zebra</c>, <c>ffhq</c>, or a file) becomes a
/// file, for every front end and option. The rule, in order:
/// <list type="number">
/// <item>an existing file, or anything with a folder separator, is a path and stays as given (a folder of the same
/// name in the working directory is not: datasets are often called like the models trained on them);</item>
/// <item>a model Atelier ships (models/ beside the program), by its name or its short name: shipped models win, they
/// need no download (<c>candy</c> is Atelier's own fast-style-candy);</item>
/// <item>a catalogue entry by its name or short name, fetched into the cache on first use (the catalogue never reuses
/// a shipped model's name: pytorch/examples' candy is <c>fast-style-candy-pytorch</c>);</item>
/// <item>anything else stays as given, and the loader says there is no such file.</item>
/// </list>
/// A short name is the name without one of the option's prefixes (<see cref="ModelUse.Prefixes"/>).
/// </summary>
public static class ModelResolver
{
    /// <summary>Says what <paramref name="nameOrPath"/> names, without fetching anything.</summary>
    public static ResolvedModel Find(string nameOrPath, ModelUse use, ModelStore? store = null)
    {
        // Only a file counts: a folder called horse2zebra (junyanz's dataset) must not hide the catalogue's generator.
        if (File.Exists(nameOrPath) || nameOrPath.Contains('/') || nameOrPath.Contains('\\') || nameOrPath.Length == 0)
            return new ResolvedModel(nameOrPath, nameOrPath, null, null);
        var candidates = new[] { nameOrPath }.Concat(use.Prefixes.Select(p => p + nameOrPath)).ToList();
        var shipped = ShippedModels.All();
        foreach (var name in candidates)
            if (shipped.FirstOrDefault(m => m.Name == name) is { } m) return new ResolvedModel(nameOrPath, m.Path, m, null);
        store ??= ModelStore.Current;
        // The exact name first whatever its kind (so a wrong kind is named, not silently skipped), then the short names that fit.
        var entry = store.Catalogue.Find(nameOrPath)
            ?? candidates.Skip(1).Select(store.Catalogue.Find).FirstOrDefault(e => e is not null && use.Accepts(e));
        if (entry is null) return new ResolvedModel(nameOrPath, nameOrPath, null, null);
        if (!use.Accepts(entry))
            throw new AtelierException($"{nameOrPath}: the catalogue's {entry.Name} is a {entry.Kind} model, not a {use.What} ({string.Join(", ", use.Kinds)})");
        return new ResolvedModel(nameOrPath, store.Cache.PathOf(entry), null, entry);
    }

    /// <summary>The file <paramref name="nameOrPath"/> names, fetching a catalogue model on first use (see the class summary).</summary>
    public static string Resolve(string nameOrPath, ModelUse use, IProgress<ProgressReport>? progress = null, CancellationToken ct = default,
        ModelStore? store = null, Action<string>? note = null)
    {
        store ??= ModelStore.Current;
        var found = Find(nameOrPath, use, store);
        return found.Entry is { } entry ? store.Fetch(entry, progress, ct, note) : found.Path;
    }
}
