namespace Atelier.Models;

/// <summary>
/// How models are fetched: offline (no network at all), from a mirror standing in for the publishers (a base URL or
/// a local folder laid out like the cache, <c>NAME/FILE</c>), and the patience of the downloader. The environment
/// sets the first two (<see cref="OfflineVariable"/>, <see cref="MirrorVariable"/>); front ends may override them.
/// </summary>
public sealed record FetchOptions
{
    public const string OfflineVariable = "ATELIER_OFFLINE";
    public const string MirrorVariable = "ATELIER_MIRROR";

    /// <summary>Never touch the network: a model not in the cache is an error that says where to put it.</summary>
    public bool Offline { get; init; }

    /// <summary>A base URL (http/https) or a local folder used instead of the publishers' addresses; null: the publishers.</summary>
    public string? Mirror { get; init; }

    /// <summary>How long a connection may stay silent (waiting for the answer or for the next bytes) before it is given up and retried.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long establishing a connection may take; a host that cannot be reached is not retried.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after a dropped connection, a stall or a server error (5xx); each resumes where the last stopped.</summary>
    public int Retries { get; init; } = 4;

    /// <summary>The wait before the first retry; it doubles with each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for another process that is fetching the same model.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromHours(2);

    public static FetchOptions FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return new FetchOptions
        {
            Offline = IsSet(environment(OfflineVariable)),
            Mirror = environment(MirrorVariable) is { Length: > 0 } m ? m : null,
        };
    }

    /// <summary>"1", "true", "yes", "on" (any case) switch a variable on.</summary>
    public static bool IsSet(string? value) =>
        value is not null && (value.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on");

    /// <summary>True when <see cref="Mirror"/> is a web address rather than a folder.</summary>
    public bool MirrorIsUrl => Mirror is { } m && (m.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || m.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    /// <summary>The mirror folder (a path or a file:// address), or null when the mirror is a URL or unset.</summary>
    public string? MirrorFolder => Mirror is null || MirrorIsUrl ? null
        : Mirror.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(Mirror).LocalPath : Mirror;
}
