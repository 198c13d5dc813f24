using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Atelier.Imaging;
using Atelier.IO;
using Atelier.Runtime;

namespace Atelier.Data;

/// <summary>Options of <see cref="PackagedPictures.Collect"/>.</summary>
public sealed record PackagedPicturesOptions
{
    /// <summary>The file-system root to look under (the machine's own "/" by default; a folder in tests).</summary>
    public string Root { get; init; } = "/";

    /// <summary>Pictures are resized so their shorter side is this (never enlarged).</summary>
    public int ShorterSide { get; init; } = 512;

    /// <summary>Every N-th picture, in name order, goes to test/ (0 = none held out).</summary>
    public int HoldOutEvery { get; init; } = 10;

    public int JpegQuality { get; init; } = 92;
}

/// <summary>What <see cref="PackagedPictures.Collect"/> wrote.</summary>
public sealed record PackagedPicturesResult(int Train, int Test, int Duplicates, IReadOnlyList<(string File, string Error)> Skipped, string Attribution);

/// <summary>
/// Free-licensed pictures that Debian packages install (desktop wallpapers and backgrounds), gathered reproducibly into
/// a training folder with an attribution list: each picture's package, version, installed path, and the licences its
/// package's copyright file names. KDE's wallpaper folders hold one picture at several resolutions: the largest is
/// taken. Identical pictures are kept once. Nothing is downloaded: what is there comes from `apt-get install`.
/// </summary>
public static class PackagedPictures
{
    /// <summary>Where packages install pictures: KDE's wallpaper folders and the shared backgrounds folder.</summary>
    public static readonly IReadOnlyList<string> Places = ["usr/share/wallpapers", "usr/share/backgrounds"];

    static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp"];

    /// <summary>The pictures found under <paramref name="root"/>, one per KDE wallpaper, in a stable order.</summary>
    public static List<string> Find(string root)
    {
        var found = new List<string>();
        foreach (var place in Places)
        {
            var dir = Path.Combine(root, place);
            if (!Directory.Exists(dir)) continue;
            foreach (var sub in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
            {
                // KDE: NAME/contents/images/WxH.ext, the same picture at several sizes.
                var images = Path.Combine(sub, "contents", "images");
                if (Directory.Exists(images))
                {
                    var largest = Directory.GetFiles(images).Where(IsPicture).OrderByDescending(f => new FileInfo(f).Length).ThenBy(f => f, StringComparer.Ordinal).FirstOrDefault();
                    if (largest is not null) found.Add(largest);
                    continue;
                }
                found.AddRange(Directory.GetFiles(sub, "*", SearchOption.AllDirectories).Where(IsPicture).Order(StringComparer.Ordinal));
            }
            found.AddRange(Directory.GetFiles(dir).Where(IsPicture).Order(StringComparer.Ordinal));
        }
        return found;
    }

    static bool IsPicture(string f) => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant());

    /// <summary>Writes train/ and test/ JPEGs and ATTRIBUTION.tsv into <paramref name="output"/>.</summary>
    public static PackagedPicturesResult Collect(string output, PackagedPicturesOptions? options = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        options ??= new PackagedPicturesOptions();
        if (options.ShorterSide is < 16 or > 8192) throw new AtelierUsageException($"{{ShorterSide}} {options.ShorterSide}: must be 16 to 8192");
        if (options.HoldOutEvery < 0 || options.HoldOutEvery == 1) throw new AtelierUsageException($"{{HoldOutEvery}} {options.HoldOutEvery}: must be 0 (none) or 2 or more");
        var pictures = Find(options.Root);
        if (pictures.Count == 0)
            throw new AtelierException($"no pictures under {string.Join(" or ", Places.Select(p => Path.Combine(options.Root, p)))}; install some, e.g. apt-get install plasma-workspace-wallpapers mate-backgrounds");
        var owners = PackageIndex.Read(options.Root);
        Directory.CreateDirectory(Path.Combine(output, "train"));
        if (options.HoldOutEvery > 0) Directory.CreateDirectory(Path.Combine(output, "test"));
        var rows = new List<string> { "file\tsplit\tpackage\tversion\tinstalled as\tlicences (package copyright)\tcopyright file" };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = new List<(string, string)>();
        int train = 0, test = 0, duplicates = 0, index = 0;
        foreach (var path in pictures)
        {
            ct.ThrowIfCancellationRequested();
            progress?.Report(new ProgressReport(index + 1, pictures.Count, "pictures"));
            index++;
            var bytes = File.ReadAllBytes(path);
            if (!seen.Add(Convert.ToHexString(SHA256.HashData(bytes)))) { duplicates++; continue; }
            Image image;
            try { image = ImageIO.Decode(bytes, path); }
            catch (AtelierException e) { skipped.Add((path, e.Message)); continue; }
            if (Math.Min(image.Width, image.Height) > options.ShorterSide) image = ImageResize.ResizeShorterSide(image, options.ShorterSide);
            var relative = Path.GetRelativePath(options.Root, path).Replace('\\', '/');
            var owner = owners.Owner("/" + relative);
            string name = Slug($"{owner?.Package ?? "unpackaged"}_{NameOf(path)}") + ".jpg";
            // Held out by position in the stable order, so the same pictures are held out on every machine.
            bool isTest = options.HoldOutEvery > 0 && (train + test + 1) % options.HoldOutEvery == 0;
            string split = isTest ? "test" : "train";
            ImageIO.Save(image, Path.Combine(output, split, name), options.JpegQuality);
            if (isTest) test++; else train++;
            rows.Add(string.Join('\t', name, split, owner?.Package ?? "", owner?.Version ?? "", "/" + relative,
                owner is null ? "" : string.Join(" / ", owners.Licences(owner.Package)),
                owner is null ? "" : $"/usr/share/doc/{owner.Package}/copyright"));
        }
        var attribution = Path.Combine(output, "ATTRIBUTION.tsv");
        AtomicFile.WriteAllText(attribution, string.Join('\n', rows) + "\n");
        return new PackagedPicturesResult(train, test, duplicates, skipped, attribution);
    }

    /// <summary>A picture's name: its file name, or for KDE's WxH files the wallpaper's folder name.</summary>
    static string NameOf(string path)
    {
        var parent = Path.GetDirectoryName(path)!;
        if (Path.GetFileName(parent) == "images" && Path.GetFileName(Path.GetDirectoryName(parent)) == "contents")
            return Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(parent)))!;
        return Path.GetFileNameWithoutExtension(path);
    }

    internal static string Slug(string s)
    {
        var b = new StringBuilder();
        foreach (var c in s) b.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        return b.ToString();
    }
}
