using System.Text.Json;
using Atelier.IO;

namespace Atelier.Models;

/// <summary>
/// What Atelier recorded about a cached file when it arrived: its size and SHA-256, where it came from, and whether
/// the publisher vouched for it (<see cref="Trust"/> "published") or it was trusted on first use ("first-use").
/// Kept beside the file as <c>FILE.record.json</c>; every later use checks the file against it.
/// </summary>
public sealed record FileRecord(string Name, long Size, string Sha256, string Source, DateTime Fetched, string Trust)
{
    public const string Suffix = ".record.json";
    public const string Published = "published";
    public const string FirstUse = "first-use";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static string PathFor(string file) => file + Suffix;

    /// <summary>The record beside <paramref name="file"/>, or null when there is none or it cannot be read.</summary>
    public static FileRecord? Read(string file)
    {
        var path = PathFor(file);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<FileRecord>(File.ReadAllText(path), Json); }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException) { return null; }
    }

    public void Write(string file) => AtomicFile.WriteAllText(PathFor(file), JsonSerializer.Serialize(this, Json));
}
