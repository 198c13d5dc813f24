using System.Security.Cryptography;
using System.Text;
using Atelier.Runtime;

namespace Atelier.Models;

/// <summary>A catalogue entry as the cache sees it, for listings.</summary>
public sealed record ModelStatus(CatalogueEntry Entry, string Path, bool Cached, FileRecord? Record)
{
    /// <summary>"cached", "cached, trusted on first use", or "not fetched".</summary>
    public string State => !Cached ? "not fetched" : Record?.Trust == FileRecord.FirstUse || (Record is null && Entry.TrustOnFirstUse) ? "cached, trusted on first use" : "cached";
}

/// <summary>
/// The catalogue, the cache and how to fetch, together: what front ends and <see cref="ModelResolver"/> use.
/// <see cref="Fetch"/> brings an entry's file into the cache once (from the publishers or a mirror), checked before
/// it gets its final name: a size or hash mismatch deletes the download and says so; a file without a published hash
/// is recorded on first download and checked against that record on every later use. Two processes fetching the
/// same model take turns (a lock file); a cancelled fetch leaves only its <c>.part</c>, which the next one resumes.
/// </summary>
public sealed record ModelStore(Catalogue Catalogue, ModelCache Cache, FetchOptions Options)
{
    static readonly AsyncLocal<ModelStore?> Override = new();

    /// <summary>The store in effect: one set by <see cref="Use"/> on this flow (tests, embedders), else the environment's.</summary>
    public static ModelStore Current => Override.Value ?? FromEnvironment();

    /// <summary>The built-in catalogue, the cache and fetch options the environment names.</summary>
    public static ModelStore FromEnvironment() => new(Catalogue.BuiltIn, ModelCache.FromEnvironment(), FetchOptions.FromEnvironment());

    /// <summary>Makes <paramref name="store"/> <see cref="Current"/> on this flow until disposed.</summary>
    public static IDisposable Use(ModelStore store)
    {
        var previous = Override.Value;
        Override.Value = store;
        return new Restore(() => Override.Value = previous);
    }

    sealed class Restore(Action undo) : IDisposable { public void Dispose() => undo(); }

    /// <summary>Every catalogue entry with its place in the cache.</summary>
    public IReadOnlyList<ModelStatus> List() =>
        [.. Catalogue.Entries.Select(e => { var p = Cache.PathOf(e); bool cached = File.Exists(p); return new ModelStatus(e, p, cached, cached ? FileRecord.Read(p) : null); })];

    /// <summary>
    /// The entry's file in the cache, fetched first when absent; a cached file is checked (<see cref="ModelCache.Check"/>).
    /// <paramref name="note"/> hears about waits for another process.
    /// </summary>
    public string Fetch(CatalogueEntry entry, IProgress<ProgressReport>? progress = null, CancellationToken ct = default, Action<string>? note = null)
    {
        var path = Cache.PathOf(entry);
        if (File.Exists(path)) { Cache.Check(entry, ct); return path; }
        if (Options.Offline)
            throw new AtelierException($"{entry.Name}: not in the cache and offline mode is on; {ByHand(entry)}");
        using (FileLock.Acquire(path + ".lock", Options.LockWait, ct, () => note?.Invoke($"{entry.Name}: another process is fetching it; waiting")))
        {
            if (File.Exists(path)) { Cache.Check(entry, ct); return path; } // the other process finished it
            string source;
            if (Options.MirrorFolder is { } folder) source = CopyFromFolder(entry, folder, path + ".part", progress, ct);
            else if (Options.MirrorIsUrl) source = Download(entry, [MirrorUrl(entry)], path + ".part", progress, ct);
            else if (entry.Archive is { } archive) source = FromArchive(entry, archive, path, progress, ct);
            else source = Download(entry, entry.Urls, path + ".part", progress, ct);
            if (File.Exists(path + ".part")) Accept(entry, path + ".part", path, source, ct);
            return path;
        }
    }

    /// <summary>Checks a finished download against the publisher's size and hash, then gives it its name and its record.</summary>
    void Accept(CatalogueEntry entry, string part, string path, string source, CancellationToken ct)
    {
        var size = new FileInfo(part).Length;
        if (entry.Size is long published && published != size)
        {
            File.Delete(part);
            throw new AtelierException($"{entry.Name}: the download from {source} has {size} bytes, the publisher gives {published}; deleted it");
        }
        var sha = FileHashes.Sha256(part, ct);
        if (!entry.MatchesPublishedHash(sha))
        {
            File.Delete(part);
            throw new AtelierException($"{entry.Name}: the download from {source} has SHA-256 {sha[..16]}..., not the publisher's {entry.PublishedHash}; deleted it");
        }
        File.Move(part, path);
        new FileRecord(entry.Name, size, sha, source, DateTime.UtcNow, entry.TrustOnFirstUse ? FileRecord.FirstUse : FileRecord.Published).Write(path);
    }

    /// <summary>Tries the addresses in turn (each with the downloader's retries); the last failure, in one line, when none works.</summary>
    string Download(CatalogueEntry entry, IReadOnlyList<string> urls, string part, IProgress<ProgressReport>? progress, CancellationToken ct)
    {
        if (urls.Count == 0) throw new AtelierException($"{entry.Name}: the catalogue gives no address; {ByHand(entry)}");
        var downloader = new Downloader(Options);
        string? failure = null;
        string? failedUrl = null;
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) continue;
            try
            {
                downloader.Download(uri, part, entry.Name, progress, ct);
                return url;
            }
            catch (Downloader.Failure f) { failure ??= f.Message; failedUrl ??= url; } // the first address is the publisher's own
        }
        throw new AtelierException($"{entry.Name}: {failure ?? "no usable address"}: {failedUrl ?? urls[0]}; to install it by hand, put the file at {Cache.PathOf(entry)}");
    }

    /// <summary>The publisher's zip, downloaded once into models/.archives (its record kept like a model's), the member taken out safely.</summary>
    string FromArchive(CatalogueEntry entry, ArchiveMember archive, string path, IProgress<ProgressReport>? progress, CancellationToken ct)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(archive.Url)))[..16];
        var zip = Path.Combine(Cache.ModelsFolder, ".archives", key + ".zip");
        using (FileLock.Acquire(zip + ".lock", Options.LockWait, ct))
        {
            if (File.Exists(zip))
            {
                // Checked like a model: a zip changed since it was recorded is not unpacked again.
                var record = FileRecord.Read(zip);
                var sha = FileHashes.Sha256(zip, ct);
                if (record is null || record.Sha256 != sha)
                {
                    File.Delete(zip);
                    File.Delete(FileRecord.PathFor(zip));
                }
            }
            if (!File.Exists(zip))
            {
                var urls = new[] { archive.Url }.Concat(entry.Urls).Distinct().ToList();
                var source = Download(entry, urls, zip + ".part", progress, ct);
                File.Move(zip + ".part", zip);
                new FileRecord(Path.GetFileName(new Uri(source).LocalPath), new FileInfo(zip).Length, FileHashes.Sha256(zip, ct), source, DateTime.UtcNow, FileRecord.FirstUse).Write(zip);
            }
            try { SafeZip.Extract(zip, archive.Member, path + ".part", ct); }
            catch (AtelierException)
            {
                File.Delete(zip); // a refused zip is not kept for the next try
                File.Delete(FileRecord.PathFor(zip));
                throw;
            }
            return $"{archive.Url} ({archive.Member})";
        }
    }

    /// <summary>A local mirror: the file at FOLDER/NAME/FILE, copied in (then checked like a download).</summary>
    string CopyFromFolder(CatalogueEntry entry, string folder, string part, IProgress<ProgressReport>? progress, CancellationToken ct)
    {
        var source = Path.Combine(folder, entry.Name, entry.File);
        if (!File.Exists(source))
            throw new AtelierException($"{entry.Name}: the mirror folder has no {source}; {ByHand(entry)}");
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
        using (var output = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var buffer = new byte[1 << 20];
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long have = 0;
            int n;
            while ((n = input.Read(buffer)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                output.Write(buffer, 0, n);
                have += n;
                Downloader.Report(progress, entry.Name, have, 0, input.Length, clock.Elapsed);
            }
        }
        return source;
    }

    /// <summary>The mirror's address for an entry: BASE/NAME/FILE, the cache's own layout.</summary>
    public string MirrorUrl(CatalogueEntry entry) =>
        $"{Options.Mirror!.TrimEnd('/')}/{Uri.EscapeDataString(entry.Name)}/{Uri.EscapeDataString(entry.File)}";

    /// <summary>How to install the file without Atelier's help: where to get it and where to put it.</summary>
    public string ByHand(CatalogueEntry entry)
    {
        var from = Options.Mirror is not null ? (Options.MirrorIsUrl ? MirrorUrl(entry) : Path.Combine(Options.MirrorFolder!, entry.Name, entry.File))
            : entry.Archive is { } a ? $"{a.Url} (member {a.Member})" : entry.Urls.FirstOrDefault() ?? entry.Page;
        return $"to install it by hand, get {from} and put it at {Cache.PathOf(entry)}";
    }
}
