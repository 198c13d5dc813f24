namespace Atelier.Studio.Hosting;

/// <summary>
/// How the studio runs: where it listens, where models live, and the limits that keep one browser tab (or a
/// misbehaving client) from exhausting the machine. Defaults suit a laptop: loopback only, one job at a time.
/// </summary>
public sealed class StudioOptions
{
    /// <summary>Addresses to listen on (semicolon-separated, as ASP.NET Core's --urls). Port 0 picks a free port.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5000";

    /// <summary>A folder scanned (one level deep) for checkpoints; null for none.</summary>
    public string? ModelsDirectory { get; set; }

    /// <summary>Extra checkpoint files named on the command line.</summary>
    public List<string> ModelFiles { get; } = new();

    /// <summary>Largest accepted upload (one image file), in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 16L << 20;

    /// <summary>Largest accepted image, in pixels (checked from the file header, before decoding).</summary>
    public long MaxPixels { get; set; } = 16L << 20;

    /// <summary>Jobs run at once (each may use several torch threads).</summary>
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>Jobs waiting to run; more are refused with 429 until some finish.</summary>
    public int MaxQueuedJobs { get; set; } = 16;

    /// <summary>A job running longer is stopped and reported as timed out.</summary>
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a stop (Ctrl+C, SIGTERM) may take: running jobs are cancelled at once and their event streams get a
    /// final event; connections still open after this are cut.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Threads each job's tensor operations use (0: libtorch's default, one per core); bounds the jobs run at once.</summary>
    public int ThreadsPerJob { get; set; }

    /// <summary>Connections one client address may hold open at once; more are closed as they arrive.</summary>
    public int MaxConnectionsPerClient { get; set; } = 32;

    /// <summary>Offer the models Atelier ships (models/ beside the program) and the catalogue models already fetched, besides the folder and files given.</summary>
    public bool ShippedModels { get; set; } = true;

    /// <summary>The model list is read from disk again at most this often (every request would re-hash the folder).</summary>
    public TimeSpan ModelRescanInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Finished jobs kept (with their result images) for the page to fetch; older ones are forgotten.</summary>
    public int MaxFinishedJobs { get; set; } = 32;

    /// <summary>HTTP requests handled at once; a short queue waits beyond that, then 503.</summary>
    public int MaxConcurrentRequests { get; set; } = 32;

    /// <summary>Requests allowed to wait for a slot when <see cref="MaxConcurrentRequests"/> are in flight.</summary>
    public int MaxQueuedRequests { get; set; } = 128;

    /// <summary>Torch device for the methods: auto, cpu, cuda or cuda:N.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Where models Atelier trains or generates itself are cached (also listed as models).</summary>
    public string? CacheDirectory { get; set; } = DefaultCacheDirectory();

    /// <summary>$ATELIER_CACHE, else the model cache's folder (<see cref="Atelier.Models.ModelCache.DefaultRoot"/>: $ATELIER_HOME, else $XDG_CACHE_HOME/atelier, else ~/.cache/atelier).</summary>
    public static string DefaultCacheDirectory()
    {
        var env = Environment.GetEnvironmentVariable("ATELIER_CACHE");
        return !string.IsNullOrEmpty(env) ? env : Atelier.Models.ModelCache.DefaultRoot();
    }

    /// <summary>Checks the limits; a bad value is a usage error naming the property (the CLI spells it as its flag).</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Urls)) throw new AtelierUsageException("{Urls}: give at least one address, e.g. http://127.0.0.1:5000");
        foreach (var u in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new AtelierUsageException($"{{Urls}} {u}: expected an address such as http://127.0.0.1:5000");
        if (ModelsDirectory != null && !Directory.Exists(ModelsDirectory))
            throw new AtelierUsageException($"{{ModelsDirectory}} {ModelsDirectory}: no such folder");
        foreach (var f in ModelFiles)
            if (!File.Exists(f)) throw new AtelierUsageException($"{{ModelFiles}} {f}: no such file");
        if (MaxConcurrentJobs < 1) throw new AtelierUsageException($"{{MaxConcurrentJobs}} {MaxConcurrentJobs}: must be at least 1");
        if (MaxQueuedJobs < 1) throw new AtelierUsageException($"{{MaxQueuedJobs}} {MaxQueuedJobs}: must be at least 1");
        if (JobTimeout <= TimeSpan.Zero) throw new AtelierUsageException($"{{JobTimeout}} {JobTimeout.TotalSeconds} s: must be positive");
        // Upper bounds too: a request body limit near long.MaxValue overflowed in the server's own arithmetic.
        if (MaxUploadBytes < 1024 || MaxUploadBytes > 1L << 31) throw new AtelierUsageException($"{{MaxUploadBytes}} {MaxUploadBytes}: must be between 1024 bytes and 2 GiB");
        if (MaxPixels < 64 || MaxPixels > 1L << 30) throw new AtelierUsageException($"{{MaxPixels}} {MaxPixels}: must be between 64 and 2^30");
        if (MaxConcurrentJobs > 64) throw new AtelierUsageException($"{{MaxConcurrentJobs}} {MaxConcurrentJobs}: at most 64");
        if (ShutdownGrace < TimeSpan.Zero || ShutdownGrace > TimeSpan.FromMinutes(10))
            throw new AtelierUsageException($"{{ShutdownGrace}} {ShutdownGrace.TotalSeconds} s: must be between 0 and 600 s");
        if (MaxConnectionsPerClient < 2 || MaxConnectionsPerClient > 10_000)
            throw new AtelierUsageException($"{{MaxConnectionsPerClient}} {MaxConnectionsPerClient}: must be between 2 and 10000");
        // Jobs run at once share the machine's cores: beyond four threads a core they only contend (the CLI's own bound).
        int cores = Environment.ProcessorCount, perJob = ThreadsPerJob > 0 ? ThreadsPerJob : cores;
        if ((long)MaxConcurrentJobs * perJob > 4L * cores)
            throw new AtelierUsageException($"{{MaxConcurrentJobs}} {MaxConcurrentJobs} with {perJob} threads each: at most {4 * cores} threads in all on this machine ({Math.Max(1, 4 * cores / perJob)} jobs at {perJob} threads; {{ThreadsPerJob}} lowers the threads per job)");
        if (MaxQueuedJobs > 10_000) throw new AtelierUsageException($"{{MaxQueuedJobs}} {MaxQueuedJobs}: at most 10000");
    }

    /// <summary>True when every address is a loopback one (the default); the CLI warns otherwise.</summary>
    public bool IsLoopbackOnly() =>
        Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(u =>
            Uri.TryCreate(u, UriKind.Absolute, out var uri) &&
            (uri.IsLoopback || uri.Host == "localhost"));
}
