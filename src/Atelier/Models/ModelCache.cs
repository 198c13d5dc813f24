namespace Atelier.Models;

/// <summary>
/// Where fetched models and caches derived from checkpoints live: <c>$ATELIER_HOME</c>, else
/// <c>$XDG_CACHE_HOME/atelier</c>, else <c>~/.cache/atelier</c> (<see cref="Root"/>). A catalogue model is
/// <c>models/NAME/FILE</c> with its <see cref="FileRecord"/> beside it; a derived cache (a StyleGAN checkpoint's mean w)
/// is <c>derived/SHA256-OF-THE-SOURCE/FILE</c>, so it follows the checkpoint's bytes, not its folder, and never
/// pollutes (or needs write access to) the folder the checkpoint is in.
/// </summary>
public sealed class ModelCache(string root)
{
    public const string HomeVariable = "ATELIER_HOME";

    /// <summary>The cache's top folder.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Fetched catalogue models: one folder per name.</summary>
    public string ModelsFolder => Path.Combine(Root, "models");

    /// <summary>Caches computed from files (keyed by the file's SHA-256).</summary>
    public string DerivedFolder => Path.Combine(Root, "derived");

    /// <summary>The cache folder the environment asks for (see the class summary).</summary>
    public static string DefaultRoot(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment(HomeVariable) is { Length: > 0 } home) return home;
        if (environment("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "atelier");
        var user = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(user, ".cache", "atelier");
    }

    public static ModelCache FromEnvironment() => new(DefaultRoot());

    /// <summary>Where <paramref name="entry"/>'s file lives once fetched.</summary>
    public string PathOf(CatalogueEntry entry) => Path.Combine(ModelsFolder, entry.Name, entry.File);

    /// <summary>True when the entry's file is in the cache (not checked: see <see cref="Check"/>).</summary>
    public bool Contains(CatalogueEntry entry) => File.Exists(PathOf(entry));

    /// <summary>
    /// Checks a cached file against its record (size and SHA-256) and the publisher's hash. A file put there by hand
    /// without a record is checked against the publisher's hash and recorded (trusted on first use when there is
    /// none). A mismatch is refused with one line naming the file; the file is left for the user to look at.
    /// </summary>
    public FileRecord Check(CatalogueEntry entry, CancellationToken ct = default)
    {
        var path = PathOf(entry);
        if (!File.Exists(path)) throw new AtelierException($"{entry.Name}: not in the cache ({path})");
        var size = new FileInfo(path).Length;
        var record = FileRecord.Read(path);
        if (record is not null && record.Size != size)
            throw new AtelierException($"{path}: {size} bytes, but {record.Size} were recorded when it was fetched; the file changed or is damaged: remove it and fetch it again");
        if (entry.Size is long published && published != size)
            throw new AtelierException($"{path}: {size} bytes, but the publisher gives {published}; remove it and fetch it again");
        var sha = FileHashes.Sha256(path, ct);
        if (record is not null && !string.Equals(record.Sha256, sha, StringComparison.OrdinalIgnoreCase))
            throw new AtelierException($"{path}: SHA-256 {sha[..16]}... differs from the {record.Sha256[..Math.Min(16, record.Sha256.Length)]}... recorded when it was fetched; the file changed or is damaged: remove it and fetch it again");
        if (!entry.MatchesPublishedHash(sha))
            throw new AtelierException($"{path}: SHA-256 {sha[..16]}... does not match the publisher's ({entry.PublishedHash}); remove it and fetch it again");
        if (record is null)
        {
            record = new FileRecord(entry.Name, size, sha, "placed by hand", DateTime.UtcNow, entry.TrustOnFirstUse ? FileRecord.FirstUse : FileRecord.Published);
            TryWrite(record, path);
        }
        return record;
    }

    /// <summary>Deletes an entry's file, its record and its folder (when empty); false when nothing was there.</summary>
    public bool Remove(CatalogueEntry entry)
    {
        var path = PathOf(entry);
        bool any = false;
        foreach (var f in new[] { path, FileRecord.PathFor(path), path + ".part" })
            if (File.Exists(f)) { File.Delete(f); any = true; }
        var dir = Path.GetDirectoryName(path)!;
        try { if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any(e => !e.EndsWith(".lock", StringComparison.Ordinal))) Directory.Delete(dir, true); }
        catch (IOException) { } // another process holds its lock: the folder stays
        return any;
    }

    /// <summary>
    /// Where a cache computed from <paramref name="sourceFile"/> goes: <c>derived/SHA256/NAME</c>, keyed by the file's
    /// bytes (hashed once per run; a fetched model was already hashed when it was checked).
    /// </summary>
    public string DerivedPath(string sourceFile, string name) =>
        Path.Combine(DerivedFolder, FileHashes.Sha256(sourceFile), name);

    static void TryWrite(FileRecord record, string path)
    {
        try { record.Write(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a read-only cache still serves its files
    }
}
