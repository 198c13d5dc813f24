namespace Atelier.Models;

/// <summary>A model trained by Atelier and shipped with it: models/NAME/model.safetensors beside the program, with its card.</summary>
public sealed record ShippedModel(string Name, string Path, string? CardPath);

/// <summary>
/// The models that come with Atelier (the repository's models/ folder, copied beside every program by the build):
/// each folder holding a model.safetensors is one model, named by its folder (e.g. fast-style-candy), with card.md
/// saying how it was trained. Front ends offer them by name, so they work out of the box.
/// </summary>
public static class ShippedModels
{
    /// <summary>Where the build puts them: models/ beside the program (with the built-in ResNet-18's files).</summary>
    public static string Folder => System.IO.Path.Combine(AppContext.BaseDirectory, "models");

    public const string ModelFileName = "model.safetensors";

    /// <summary>Every shipped model, by name.</summary>
    public static IReadOnlyList<ShippedModel> All() => In(Folder);

    /// <summary>The models under <paramref name="folder"/> (one folder each, holding model.safetensors).</summary>
    public static IReadOnlyList<ShippedModel> In(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        return [.. Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(System.IO.Path.Combine(d, ModelFileName)))
            .Select(d => new ShippedModel(System.IO.Path.GetFileName(d), System.IO.Path.Combine(d, ModelFileName),
                File.Exists(System.IO.Path.Combine(d, "card.md")) ? System.IO.Path.Combine(d, "card.md") : null))];
    }

    /// <summary>Whether this build ships the model <paramref name="name"/> (a folder of models/ holding its weights).</summary>
    public static bool Ships(string name) => All().Any(m => m.Name == name);

    /// <summary>The names of the shipped models of one kind (by prefix), for help texts and messages.</summary>
    public static IReadOnlyList<string> Names(string prefix) =>
        [.. All().Where(m => m.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(m => m.Name[prefix.Length..])];
}
