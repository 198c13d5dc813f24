using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Studio.Jobs;

/// <summary>What a running method gets: where to report progress and intermediate pictures, and when to stop.</summary>
public sealed class JobContext
{
    readonly Job _job;
    readonly TimeSpan _previewInterval;
    DateTime _lastPreview = DateTime.MinValue;

    internal JobContext(Job job, CancellationToken ct, TimeSpan previewInterval)
    {
        _job = job;
        CancellationToken = ct;
        _previewInterval = previewInterval;
        Progress = new InlineProgress(job.Report);
    }

    public CancellationToken CancellationToken { get; }

    /// <summary>Reports arrive synchronously on the worker thread and update the job at once.</summary>
    public IProgress<ProgressReport> Progress { get; }

    /// <summary>
    /// True when a new intermediate picture is welcome (at most a few a second), so methods encode one only
    /// when it will be shown.
    /// </summary>
    public bool WantsPreview => DateTime.UtcNow - _lastPreview >= _previewInterval;

    /// <summary>Publishes an intermediate picture (encoded to PNG here).</summary>
    public void Preview(Image image)
    {
        _lastPreview = DateTime.UtcNow;
        _job.SetPreview(StudioImages.EncodePng(image));
    }

}

/// <summary>
/// A finished method's picture and figures. <see cref="Artifact"/> is data later requests may use by job id
/// (e.g. an inversion's latent code); it stays on the server and is never sent.
/// </summary>
public sealed record JobOutput(Image Image, IReadOnlyDictionary<string, object>? Info = null, object? Artifact = null)
{
    /// <summary>For a tileable result: the picture tiled 2x2, shown beside it.</summary>
    public Image? Tiled { get; init; }
}
