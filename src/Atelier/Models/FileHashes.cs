using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Atelier.Models;

/// <summary>SHA-256 of files, remembered per process by (path, size, modification time) so a file is hashed once per run.</summary>
public static class FileHashes
{
    static readonly ConcurrentDictionary<(string Path, long Size, long Ticks), string> Known = new();

    /// <summary>The file's SHA-256 as lower-case hex.</summary>
    public static string Sha256(string path, CancellationToken ct = default)
    {
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (!info.Exists) throw new AtelierException($"{path}: no such file");
        var key = (full, info.Length, info.LastWriteTimeUtc.Ticks);
        if (Known.TryGetValue(key, out var hex)) return hex;
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            sha.AppendData(buffer, 0, n);
        }
        hex = Convert.ToHexStringLower(sha.GetHashAndReset());
        Known[key] = hex;
        return hex;
    }
}
