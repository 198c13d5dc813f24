namespace Atelier.Imaging;

/// <summary>A picture that ships with Atelier (FOLDER/NAME.jpg beside the program; FOLDER/ATTRIBUTION.tsv says whose).</summary>
public sealed record ShippedPicture(string Name, string Path)
{
    public Image Load() => ImageIO.Load(Path);
}

/// <summary>
/// Pictures that come with Atelier, a repository folder copied beside every program by the build: real pictures for the
/// demo and the studio to show style transfer and translation on, where the procedural samples
/// (<see cref="ProceduralSamples"/>) would say little. <see cref="Photos"/> are content pictures, <see cref="Paintings"/>
/// style pictures, <see cref="Glyphs"/> letters for the StyleGAN2 glyph generator and the serif/sans-serif CycleGAN.
/// </summary>
public sealed class ShippedPictures
{
    /// <summary>Debian wallpapers none of the shipped models was trained on (photos/).</summary>
    public static ShippedPictures Photos { get; } = new("photos", "photo");

    /// <summary>Public-domain paintings, for arbitrary style transfer (paintings/).</summary>
    public static ShippedPictures Paintings { get; } = new("paintings", "painting");

    /// <summary>Letters from typefaces the shipped generators never saw: 32 px for the StyleGAN2, 128 px words for the CycleGAN (glyphs/).</summary>
    public static ShippedPictures Glyphs { get; } = new("glyphs", "glyph");

    /// <summary>Every set, photos first; names are unique across them.</summary>
    public static IReadOnlyList<ShippedPicture> Every() => [.. Photos.All(), .. Paintings.All(), .. Glyphs.All()];

    readonly string _folderName;

    /// <summary>What one of them is called in messages ("photo").</summary>
    public string What { get; }

    ShippedPictures(string folderName, string what) => (_folderName, What) = (folderName, what);

    /// <summary>Where the build puts them: FOLDER/ beside the program.</summary>
    public string Folder => System.IO.Path.Combine(AppContext.BaseDirectory, _folderName);

    /// <summary>Every picture of the set, by name (the file name without its extension), in name order.</summary>
    public IReadOnlyList<ShippedPicture> All() => Directory.Exists(Folder)
        ? [.. ImageIO.ImagesIn(Folder).Select(f => new ShippedPicture(System.IO.Path.GetFileNameWithoutExtension(f), f))]
        : [];

    /// <summary>The picture of this name; an error naming the folder when this build has none of that name.</summary>
    public ShippedPicture Find(string name) =>
        All().FirstOrDefault(p => p.Name == name) ?? throw new AtelierException($"no shipped {What} '{name}' in {Folder}");
}
