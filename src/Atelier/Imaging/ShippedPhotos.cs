namespace Atelier.Imaging;

/// <summary>A photograph that ships with Atelier (photos/NAME.jpg beside the program; photos/ATTRIBUTION.tsv says whose).</summary>
public sealed record ShippedPhoto(string Name, string Path)
{
    public Image Load() => ImageIO.Load(Path);
}

/// <summary>
/// The photographs that come with Atelier (the repository's photos/ folder, copied beside every program by the build):
/// real pictures for the demo and the studio to show style transfer and translation on, where the procedural samples
/// (<see cref="ProceduralSamples"/>) would say little.
/// </summary>
public static class ShippedPhotos
{
    /// <summary>Where the build puts them: photos/ beside the program.</summary>
    public static string Folder => System.IO.Path.Combine(AppContext.BaseDirectory, "photos");

    /// <summary>Every shipped photo, by name (the file name without its extension), in name order.</summary>
    public static IReadOnlyList<ShippedPhoto> All() => Directory.Exists(Folder)
        ? [.. ImageIO.ImagesIn(Folder).Select(f => new ShippedPhoto(System.IO.Path.GetFileNameWithoutExtension(f), f))]
        : [];

    /// <summary>The shipped photo of this name; an error naming the folder when this build has none of that name.</summary>
    public static ShippedPhoto Find(string name) =>
        All().FirstOrDefault(p => p.Name == name) ?? throw new AtelierException($"no shipped photo '{name}' in {Folder}");
}
