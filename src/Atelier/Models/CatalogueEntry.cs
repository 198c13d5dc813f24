using System.Text.Json.Serialization;

namespace Atelier.Models;

/// <summary>Where a catalogue file sits inside a publisher's archive: the zip's address and the member's path in it.</summary>
public sealed record ArchiveMember(string Url, string Member);

/// <summary>
/// One published model of the catalogue (<c>catalogue.json</c>): what it is (<see cref="Kind"/>, the Atelier loader it
/// goes to), the file and every address the publisher gives for it, what the publisher says about its bytes (a full
/// SHA-256, a hash prefix in the file name as torchvision does, a size; often nothing), its licence and the page and
/// script the entry was confirmed from.
/// </summary>
public sealed record CatalogueEntry
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    /// <summary>The file's name in the cache (the publisher's own name).</summary>
    public required string File { get; init; }
    public IReadOnlyList<string> Urls { get; init; } = [];
    public string? Sha256 { get; init; }
    /// <summary>The first hex digits of the SHA-256, as published in the file name (torch.hub's scheme).</summary>
    public string? HashPrefix { get; init; }
    public long? Size { get; init; }
    /// <summary>Set when the publisher ships the file inside a zip (then <see cref="Urls"/> are the zip's).</summary>
    public ArchiveMember? Archive { get; init; }
    public string Licence { get; init; } = "";
    /// <summary>The licence in a few words, for listings.</summary>
    public string LicenceShort { get; init; } = "";
    /// <summary>The publisher's page documenting the model.</summary>
    public string Page { get; init; } = "";
    /// <summary>Where the entry's address was confirmed (the publisher's script or README, with its commit).</summary>
    public string Source { get; init; } = "";
    public string Notes { get; init; } = "";

    /// <summary>
    /// True when the publisher gives no hash: the first download is recorded (size and SHA-256 kept beside the file)
    /// and every later use is checked against that record.
    /// </summary>
    [JsonIgnore]
    public bool TrustOnFirstUse => string.IsNullOrEmpty(Sha256) && string.IsNullOrEmpty(HashPrefix);

    /// <summary>What the publisher vouches for, in words: "sha256", "sha256 prefix dcbb9e9d" or "none (trust on first use)".</summary>
    [JsonIgnore]
    public string PublishedHash => !string.IsNullOrEmpty(Sha256) ? "sha256 " + Sha256[..Math.Min(12, Sha256.Length)] + "..."
        : !string.IsNullOrEmpty(HashPrefix) ? "sha256 prefix " + HashPrefix : "none (trust on first use)";

    /// <summary>True when <paramref name="sha256"/> (lower-case hex) is what the publisher gives (true when it gives nothing).</summary>
    public bool MatchesPublishedHash(string sha256) =>
        !string.IsNullOrEmpty(Sha256) ? string.Equals(Sha256, sha256, StringComparison.OrdinalIgnoreCase)
        : string.IsNullOrEmpty(HashPrefix) || sha256.StartsWith(HashPrefix, StringComparison.OrdinalIgnoreCase);
}
