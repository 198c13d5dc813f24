using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Atelier.Checkpoints;
using Atelier.Studio.Hosting;
using static TorchSharp.torch;

namespace Atelier.Studio.Models;

/// <summary>
/// A checkpoint the studio can use, as the page sees it (never its path). <see cref="Kind"/> is the library
/// recogniser's kind id (e.g. "stylegan2-generator"; see <see cref="ArchitectureKind"/>), what panels filter on;
/// <see cref="Architecture"/> is its human description.
/// </summary>
public sealed record ModelInfo(string Id, string Name, string Format, long SizeBytes, string Source, string Kind, string? Architecture,
    IReadOnlyDictionary<string, object>? Parameters, string? Note)
{
    /// <summary>The structured recognition (not sent to the page: the fields above say the same).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public RecognizedArchitecture Recognized { get; init; } = RecognizedArchitecture.Unknown;

    public bool Is(ArchitectureKind kind) => Recognized.Kind == kind;
}

/// <summary>
/// The checkpoints the studio knows: files in the models folder (one level deep), files named on the command
/// line, the models Atelier ships, the catalogue models in the model cache, and models Atelier made itself (the cache). Requests name a model by <see cref="ModelInfo.Id"/>, an
/// opaque id from this list; a path from a request never reaches the file system.
/// </summary>
public sealed class ModelCatalog(StudioOptions options)
{
    static readonly string[] Extensions = [".pth", ".pt", ".ckpt", ".safetensors", ".bin", ".pkl"];
    readonly ConcurrentDictionary<string, (DateTime Stamp, long Size, ModelInfo Info)> _recognized = new();
    readonly object _scanGate = new();
    (DateTime At, IReadOnlyList<(ModelInfo Info, string Path)> Items) _last = (DateTime.MinValue, []);

    /// <summary>The recognizer: path -> (architecture, note). Replaceable so the architecture check can be swapped or tested.</summary>
    public Func<string, (RecognizedArchitecture Architecture, string? Note)> Recognize { get; set; } = RecognizeFile;

    /// <summary>Plain pickles larger than this are listed without being opened (their tensor data sits inside the pickle, which is read whole).</summary>
    public const long MaxRecognisedBytes = 1L << 30;

    /// <summary>The library's <see cref="ArchitectureRecognizer"/> on the file's tensor headers (no tensor data read).</summary>
    public static (RecognizedArchitecture Architecture, string? Note) RecognizeFile(string path)
    {
        if (new FileInfo(path).Length > MaxRecognisedBytes && Checkpoint.DetectFormat(path) == CheckpointFormat.Pickle)
            return (RecognizedArchitecture.Unknown, "too large to inspect");
        var file = Checkpoint.ReadHeaders(path);
        var found = file.Identify();
        return (found, found.Kind == ArchitectureKind.Unknown
            ? $"no known layout ({file.Tensors.Count} tensors, e.g. {string.Join(", ", file.Tensors.Keys.Take(3))})" : null);
    }

    /// <summary>"safetensors", "pytorch-zip", "pytorch-legacy", "pickle" (NVlabs' .pkl) or "unknown", from the first bytes (without loading the file).</summary>
    public static string FormatOf(string path)
    {
        // The library's sniffing (Checkpoint.DetectFormat), so the studio lists a file as what the loaders will read it as.
        try
        {
            return Checkpoint.DetectFormat(path) switch
            {
                CheckpointFormat.SafeTensors => "safetensors",
                CheckpointFormat.TorchZip => "pytorch-zip",
                CheckpointFormat.TorchLegacy => "pytorch-legacy",
                CheckpointFormat.Pickle => "pickle",
                var other => other.ToString().ToLowerInvariant(),
            };
        }
        catch (AtelierException) { return "unknown"; }
        catch (IOException) { return "unreadable"; }
        catch (UnauthorizedAccessException) { return "unreadable"; }
    }

    /// <summary>The models now present (rescanned at most once per <see cref="StudioOptions.ModelRescanInterval"/>).</summary>
    public IReadOnlyList<ModelInfo> List() => Scan().Select(x => x.Info).ToList();

    /// <summary>Whether any listed model is of one of <paramref name="kinds"/>.</summary>
    public bool Has(params ArchitectureKind[] kinds) => List().Any(m => kinds.Contains(m.Recognized.Kind));

    /// <summary>
    /// The file behind an id from <see cref="List"/>, or a 404 request error; a 400 when it is not one of
    /// <paramref name="kinds"/> (when given).
    /// </summary>
    public (ModelInfo Info, string Path) Resolve(string? id, string field = "model", params ArchitectureKind[] kinds)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new StudioRequestException(400, $"'{field}': choose a model (an id from /api/models)");
        foreach (var item in Scan())
            if (item.Info.Id == id)
                return kinds.Length == 0 || kinds.Contains(item.Info.Recognized.Kind) ? item
                    : throw new StudioRequestException(400, $"'{field}': {item.Info.Name} is a {item.Info.Kind} model; this needs {string.Join(" or ", kinds.Select(KindIds.Of))}");
        throw new StudioRequestException(404, $"'{field}': no model with id '{(id.Length > 40 ? id[..40] : id)}' (ids come from /api/models)");
    }

    IReadOnlyList<(ModelInfo Info, string Path)> Scan()
    {
        lock (_scanGate)
        {
            if (DateTime.UtcNow - _last.At < options.ModelRescanInterval) return _last.Items;
            var found = new List<(string Path, string Source, string Name)>();
            // The models Atelier ships first: every tab works out of the box with them.
            if (options.ShippedModels)
            {
                foreach (var m in Atelier.Models.ShippedModels.All()) found.Add((Path.GetFullPath(m.Path), "built in", m.Name));
                // Published models already fetched into the model cache (atelier models fetch, or a first use), by their catalogue names.
                foreach (var s in Atelier.Models.ModelStore.Current.List().Where(s => s.Cached)) found.Add((Path.GetFullPath(s.Path), "catalogue", s.Entry.Name));
            }
            foreach (var f in options.ModelFiles) found.Add((Path.GetFullPath(f), "command line", Path.GetFileName(f)));
            if (options.ModelsDirectory is { } dir) AddFolder(found, dir, "models folder");
            if (options.CacheDirectory is { } cache) AddFolder(found, Path.Combine(cache, "models"), "made by Atelier");
            var items = new List<(ModelInfo, string)>();
            foreach (var (path, source, name) in found.DistinctBy(f => f.Path))
            {
                FileInfo fi;
                try { fi = new FileInfo(path); if (!fi.Exists) continue; } catch (IOException) { continue; }
                var id = IdOf(path);
                if (!_recognized.TryGetValue(path, out var known) || known.Stamp != fi.LastWriteTimeUtc || known.Size != fi.Length)
                {
                    var (arch, note) = SafeRecognize(path);
                    bool recognised = arch.Kind != ArchitectureKind.Unknown;
                    known = (fi.LastWriteTimeUtc, fi.Length, new ModelInfo(id, name, FormatOf(path), fi.Length, source, arch.KindId,
                        recognised ? arch.Description : null, recognised && arch.Parameters.Count > 0 ? arch.Parameters : null, note) { Recognized = arch });
                    _recognized[path] = known;
                }
                items.Add((known.Info with { Source = source, Name = name }, path));
            }
            _last = (DateTime.UtcNow, items);
            return items;
        }
    }

    (RecognizedArchitecture, string?) SafeRecognize(string path)
    {
        try { return Recognize(path); }
        catch (Exception e) when (e is AtelierException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return (RecognizedArchitecture.Unknown, "could not be read: " + (e is AtelierException a ? Methods.FieldSpelling.None.Message(a) : e.Message));
        }
    }

    static void AddFolder(List<(string, string, string)> found, string dir, string source)
    {
        if (!Directory.Exists(dir)) return;
        var opts = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1, IgnoreInaccessible = true };
        foreach (var f in Directory.EnumerateFiles(dir, "*", opts).Order(StringComparer.Ordinal))
            // The mean-w caches the StyleGAN methods once wrote beside a checkpoint (now in the model cache's derived/) are not models.
            if (Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()) && !f.EndsWith(".mean_w.safetensors", StringComparison.Ordinal))
                // Named relative to the folder: training runs all write run/checkpoint.safetensors, so the folder tells them apart.
                found.Add((Path.GetFullPath(f), source, Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/')));
    }

    /// <summary>A stable, opaque id: the first 12 hex digits of SHA-256 of the full path.</summary>
    static string IdOf(string fullPath) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fullPath)))[..12];
}
