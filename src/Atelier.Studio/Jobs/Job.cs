using Atelier.Runtime;
using Atelier.Studio.Methods;

namespace Atelier.Studio.Jobs;

public enum JobState { Queued, Running, Succeeded, Failed, Cancelled, TimedOut }

/// <summary>
/// One long piece of work (a synthesis, a style transfer, an inversion): its state, latest progress, latest
/// intermediate picture and result. Watchers (server-sent events) wait on <see cref="WaitForChangeAsync"/>;
/// every change bumps <see cref="Version"/>.
/// </summary>
public sealed class Job
{
    readonly object _gate = new();
    TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = Guid.NewGuid().ToString("N")[..16];
    public string Method { get; }
    public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? Started { get; private set; }
    public DateTimeOffset? Finished { get; private set; }
    public JobState State { get; private set; } = JobState.Queued;
    public ProgressReport? Progress { get; private set; }
    public string? Error { get; private set; }
    /// <summary>The latest intermediate picture (PNG), if the method shows its work.</summary>
    public byte[]? PreviewPng { get; private set; }
    public int PreviewCount { get; private set; }
    /// <summary>The result picture (PNG) once succeeded.</summary>
    public byte[]? ResultPng { get; private set; }
    /// <summary>A tileable result tiled 2x2 (PNG), once succeeded; null for other results.</summary>
    public byte[]? TiledPng { get; private set; }
    /// <summary>Figures about the result (seed used, final loss, time...).</summary>
    public IReadOnlyDictionary<string, object>? ResultInfo { get; private set; }
    /// <summary>Server-side data of a succeeded job for later requests (see <see cref="JobOutput.Artifact"/>).</summary>
    public object? Artifact { get; private set; }
    public long Version { get; private set; }

    internal Func<JobContext, JobOutput> Work { get; }
    internal CancellationTokenSource Cancellation { get; } = new();
    /// <summary>How the job's failure messages name the library's parameters: as its method's form fields.</summary>
    internal FieldSpelling Fields { get; }

    public Job(string method, Func<JobContext, JobOutput> work, FieldSpelling? fields = null)
    {
        Method = method;
        Work = work;
        Fields = fields ?? FieldSpelling.None;
    }

    public bool IsFinished => State is JobState.Succeeded or JobState.Failed or JobState.Cancelled or JobState.TimedOut;

    /// <summary>Asks the job to stop; a queued job never starts, a running one stops at its next check.</summary>
    public bool Cancel()
    {
        lock (_gate) if (IsFinished) return false;
        try { Cancellation.Cancel(); } catch (ObjectDisposedException) { return false; }
        // A queued job is finished now; a running one is finished by its worker when the method returns.
        lock (_gate) if (State == JobState.Queued) Finish(JobState.Cancelled, "cancelled before it started");
        return true;
    }

    internal bool TryStart()
    {
        lock (_gate)
        {
            if (State != JobState.Queued) return false;
            State = JobState.Running;
            Started = DateTimeOffset.UtcNow;
            Bump();
            return true;
        }
    }

    internal void Report(ProgressReport report)
    {
        lock (_gate) { if (IsFinished) return; Progress = report; Bump(); }
    }

    internal void SetPreview(byte[] png)
    {
        lock (_gate) { if (IsFinished) return; PreviewPng = png; PreviewCount++; Bump(); }
    }

    internal void Succeed(byte[] png, IReadOnlyDictionary<string, object>? info, object? artifact = null, byte[]? tiledPng = null)
    {
        lock (_gate)
        {
            if (IsFinished) return;
            ResultPng = png;
            TiledPng = tiledPng;
            ResultInfo = info;
            Artifact = artifact;
            Finish(JobState.Succeeded, null);
        }
    }

    internal void Fail(JobState state, string error)
    {
        lock (_gate) { if (!IsFinished) Finish(state, error); }
    }

    void Finish(JobState state, string? error)
    {
        State = state;
        Error = error;
        Finished = DateTimeOffset.UtcNow;
        PreviewPng = state == JobState.Succeeded ? null : PreviewPng; // the result supersedes the preview
        Bump();
    }

    void Bump()
    {
        Version++;
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    /// <summary>Waits until the job changes past <paramref name="seenVersion"/>, the timeout passes, or <paramref name="ct"/> fires.</summary>
    public async Task WaitForChangeAsync(long seenVersion, TimeSpan timeout, CancellationToken ct)
    {
        Task changed;
        lock (_gate)
        {
            if (Version != seenVersion) return;
            changed = _changed.Task;
        }
        try { await changed.WaitAsync(timeout, ct).ConfigureAwait(false); }
        catch (TimeoutException) { }
    }

    /// <summary>A consistent copy of the job's public state (for JSON).</summary>
    public JobSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new JobSnapshot(Id, Method, State.ToString().ToLowerInvariant(), Version,
                Progress is { } p ? new ProgressSnapshot(p.Step, p.Total, p.Fraction, p.Stage, p.Metrics) : null,
                Error,
                PreviewCount,
                PreviewPng != null ? $"/api/jobs/{Id}/preview.png?v={PreviewCount}" : null,
                ResultPng != null ? $"/api/jobs/{Id}/result.png" : null,
                TiledPng != null ? $"/api/jobs/{Id}/tiled.png" : null,
                ResultInfo,
                Created, Started, Finished);
        }
    }
}

public sealed record ProgressSnapshot(long Step, long Total, double Fraction, string Stage, IReadOnlyDictionary<string, double>? Metrics);

public sealed record JobSnapshot(string Id, string Method, string State, long Version, ProgressSnapshot? Progress, string? Error,
    int Previews, string? PreviewUrl, string? ResultUrl, string? TiledUrl, IReadOnlyDictionary<string, object>? Info,
    DateTimeOffset Created, DateTimeOffset? Started, DateTimeOffset? Finished);
