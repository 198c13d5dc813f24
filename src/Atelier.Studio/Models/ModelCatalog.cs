using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Atelier.Studio.Hosting;

namespace Atelier.Studio.Models;

/// <summary>A checkpoint the studio can use, as the page sees it (never its path).</summary>
public sealed record ModelInfo(string Id, string Name, string Format, long SizeBytes, string Source, string? Architecture, string? Note);

/// <summary>
/// The checkpoints the studio knows: files in the models folder (one level deep), files named on the command
/// line, and models Atelier made itself (the cache). Requests name a model by <see cref="ModelInfo.Id"/>, an
/// opaque id from this list; a path from a request never reaches the file system.
/// </summary>
public sealed class ModelCatalog(StudioOptions options)
{
    static readonly string[] Extensions = [".pth", ".pt", ".ckpt", ".safetensors", ".bin"];
    readonly ConcurrentDictionary<string, (DateTime Stamp, long Size, ModelInfo Info)> _recognized = new();
    readonly object _scanGate = new();
    (DateTime At, IReadOnlyList<(ModelInfo Info, string Path)> Items) _last = (DateTime.MinValue, []);

    /// <summary>The recognizer: path -> (architecture, note). Replaceable so the architecture check can be swapped or tested.</summary>
    public Func<string, (string? Architecture, string? Note)> Recognize { get; set; } = ModelRecognition.Recognize;

    /// <summary>The models now present (rescanned at most once a second).</summary>
    public IReadOnlyList<ModelInfo> List() => Scan().Select(x => x.Info).ToList();

    /// <summary>The file behind an id from <see cref="List"/>, or a 404 request error.</summary>
    public (ModelInfo Info, string Path) Resolve(string? id, string field = "model")
    {
        if (string.IsNullOrWhiteSpace(id)) throw new StudioRequestException(400, $"'{field}': choose a model (an id from /api/models)");
        foreach (var item in Scan())
            if (item.Info.Id == id) return item;
        throw new StudioRequestException(404, $"'{field}': no model with id '{(id.Length > 40 ? id[..40] : id)}' (ids come from /api/models)");
    }

    IReadOnlyList<(ModelInfo Info, string Path)> Scan()
    {
        lock (_scanGate)
        {
            if (DateTime.UtcNow - _last.At < TimeSpan.FromSeconds(1)) return _last.Items;
            var found = new List<(string Path, string Source)>();
            foreach (var f in options.ModelFiles) found.Add((Path.GetFullPath(f), "command line"));
            if (options.ModelsDirectory is { } dir) AddFolder(found, dir, "models folder");
            if (options.CacheDirectory is { } cache) AddFolder(found, Path.Combine(cache, "models"), "made by Atelier");
            var items = new List<(ModelInfo, string)>();
            foreach (var (path, source) in found.DistinctBy(f => f.Path))
            {
                FileInfo fi;
                try { fi = new FileInfo(path); if (!fi.Exists) continue; } catch (IOException) { continue; }
                var id = IdOf(path);
                if (!_recognized.TryGetValue(path, out var known) || known.Stamp != fi.LastWriteTimeUtc || known.Size != fi.Length)
                {
                    var (arch, note) = SafeRecognize(path);
                    known = (fi.LastWriteTimeUtc, fi.Length, new ModelInfo(id, fi.Name, ModelRecognition.FormatOf(path), fi.Length, source, arch, note));
                    _recognized[path] = known;
                }
                items.Add((known.Info with { Source = source }, path));
            }
            _last = (DateTime.UtcNow, items);
            return items;
        }
    }

    (string?, string?) SafeRecognize(string path)
    {
        try { return Recognize(path); }
        catch (Exception e) when (e is AtelierException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return (null, "could not be read: " + e.Message);
        }
    }

    static void AddFolder(List<(string, string)> found, string dir, string source)
    {
        if (!Directory.Exists(dir)) return;
        var opts = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1, IgnoreInaccessible = true };
        foreach (var f in Directory.EnumerateFiles(dir, "*", opts).Order(StringComparer.Ordinal))
            if (Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())) found.Add((Path.GetFullPath(f), source));
    }

    /// <summary>A stable, opaque id: the first 12 hex digits of SHA-256 of the full path.</summary>
    static string IdOf(string fullPath) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fullPath)))[..12];
}
