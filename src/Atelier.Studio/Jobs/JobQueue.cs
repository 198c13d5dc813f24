using System.Collections.Concurrent;
using System.Threading.Channels;
using Atelier.Inference;
using Atelier.Runtime;
using Atelier.Studio.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Atelier.Studio.Jobs;

/// <summary>
/// A bounded queue of long jobs run by a fixed number of workers. A full queue refuses new work (the caller
/// answers 429) instead of piling up memory; every job can be cancelled and is stopped after the timeout;
/// finished jobs are forgotten oldest-first so results do not accumulate.
/// </summary>
public sealed class JobQueue : BackgroundService
{
    readonly StudioOptions _options;
    readonly ILogger<JobQueue> _log;
    readonly Channel<Job> _channel;
    readonly ConcurrentDictionary<string, Job> _jobs = new();
    readonly ConcurrentQueue<Job> _finishedOrder = new();
    // Fired when the host begins to stop, before Kestrel waits for open requests: running jobs end at once, so their
    // event streams send a final event and close instead of holding the shutdown until its grace period runs out.
    readonly CancellationTokenSource _shutdown = new();
    int _queued, _running;

    public JobQueue(StudioOptions options, ILogger<JobQueue> log, IHostApplicationLifetime? lifetime = null)
    {
        _options = options;
        _log = log;
        lifetime?.ApplicationStopping.Register(BeginShutdown);
        _channel = Channel.CreateBounded<Job>(new BoundedChannelOptions(options.MaxQueuedJobs)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the request is refused
            SingleReader = false,
            SingleWriter = false,
        });
    }

    public int Queued => Volatile.Read(ref _queued);
    public int Running => Volatile.Read(ref _running);
    public int Known => _jobs.Count;

    /// <summary>Between intermediate pictures (they cost a PNG encode each).</summary>
    public TimeSpan PreviewInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>True once the studio has begun to stop: no new job is accepted.</summary>
    public bool IsShuttingDown => _shutdown.IsCancellationRequested;

    /// <summary>Cancels running and queued jobs and refuses new ones (the studio is stopping).</summary>
    public void BeginShutdown()
    {
        try { _shutdown.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Queues <paramref name="job"/>; false when the queue is full.</summary>
    public bool TryEnqueue(Job job)
    {
        Interlocked.Increment(ref _queued);
        if (!_channel.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _queued);
            return false;
        }
        _jobs[job.Id] = job;
        return true;
    }

    public Job? Find(string id) => _jobs.TryGetValue(id, out var job) ? job : null;

    protected override Task ExecuteAsync(CancellationToken hostStopping)
    {
        var stoppingToken = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, _shutdown.Token).Token;
        var workers = Enumerable.Range(0, _options.MaxConcurrentJobs)
            .Select(_ => Task.Run(() => WorkerAsync(stoppingToken), CancellationToken.None));
        return Task.WhenAll(workers);
    }

    async Task WorkerAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in _channel.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                Interlocked.Decrement(ref _queued);
                if (job.TryStart())
                {
                    Interlocked.Increment(ref _running);
                    try { Run(job, stoppingToken); }
                    finally
                    {
                        // Jobs reuse freed native memory while they run (NativeAllocator); once none runs, give it back
                        // so an idle studio does not hold the largest job's working set.
                        if (Interlocked.Decrement(ref _running) == 0) NativeAllocator.Trim();
                    }
                }
                Retire(job);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            // The host is stopping: nothing more will run, so queued jobs are finished as cancelled.
            while (_channel.Reader.TryRead(out var left)) { Interlocked.Decrement(ref _queued); left.Cancel(); }
        }
    }

    void Run(Job job, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(_options.JobTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(job.Cancellation.Token, timeout.Token, stoppingToken);
        var ctx = new JobContext(job, linked.Token, PreviewInterval);
        try
        {
            linked.Token.ThrowIfCancellationRequested();
            // With collections held off, so TorchSharp's temporary Scalars outlive the native calls (ScalarSafety).
            var output = Atelier.Runtime.ScalarSafety.Run(() => job.Work(ctx));
            linked.Token.ThrowIfCancellationRequested();
            job.Succeed(StudioImages.EncodePng(output.Image), output.Info, output.Artifact,
                output.Tiled is { } tiled ? StudioImages.EncodePng(tiled) : null);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            if (timeout.IsCancellationRequested && !job.Cancellation.IsCancellationRequested)
                job.Fail(JobState.TimedOut, $"stopped after the time limit of {_options.JobTimeout.TotalSeconds:0} s");
            else
                job.Fail(JobState.Cancelled, stoppingToken.IsCancellationRequested ? "the studio is shutting down" : "cancelled");
        }
        catch (AtelierException e)
        {
            job.Fail(JobState.Failed, job.Fields.Message(e));
        }
        catch (Exception e)
        {
            _log.LogError(e, "job {Id} ({Method}) failed", job.Id, job.Method);
            job.Fail(JobState.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    void Retire(Job job)
    {
        _finishedOrder.Enqueue(job);
        while (_finishedOrder.Count > _options.MaxFinishedJobs && _finishedOrder.TryDequeue(out var old))
            _jobs.TryRemove(old.Id, out _);
    }
}
