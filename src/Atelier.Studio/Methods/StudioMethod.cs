using Atelier.Studio.Hosting;
using Atelier.Studio.Jobs;
using Atelier.Studio.Models;
using Atelier.Studio.Uploads;
using static TorchSharp.torch;

namespace Atelier.Studio.Methods;

/// <summary>Whether a method can run now, and if not, what the user must do.</summary>
public sealed record Availability(bool Available, string? Needs = null)
{
    public static readonly Availability Ready = new(true);
    public static Availability Missing(string needs) => new(false, needs);
}

/// <summary>What a method's request handler gets: the form's fields and files, the model list, the options.</summary>
public sealed class MethodRequest(FormFields fields, UploadReader uploads, ModelCatalog models, StudioOptions options, Func<Device> device,
    JobQueue? jobs = null)
{
    /// <summary>The queue, to find earlier jobs whose results a request builds on (by id, never by path).</summary>
    public JobQueue? Jobs { get; } = jobs;
    public FormFields Fields { get; } = fields;
    public UploadReader Uploads { get; } = uploads;
    public ModelCatalog Models { get; } = models;
    public StudioOptions Options { get; } = options;
    /// <summary>The torch device (parsed on first use, so pure-C# methods never load libtorch).</summary>
    public Device Device => device();
}

/// <summary>
/// One library method offered by the studio. <see cref="PrepareAsync"/> runs in the request: it reads and
/// validates everything (so a bad request fails at once with a clear 4xx) and returns the work, which runs
/// later in the job queue.
/// </summary>
public abstract class StudioMethod
{
    /// <summary>The id used in the API (/api/jobs/{id}), e.g. "texture.quilting".</summary>
    public abstract string Id { get; }
    /// <summary>Ids the method had before (gatys.style, now gatys.transfer): requests to them still reach it.</summary>
    public virtual IReadOnlyList<string> FormerIds => [];
    /// <summary>The page panel it belongs to.</summary>
    public abstract string Panel { get; }
    public abstract string Title { get; }
    /// <summary>One line for the page: what the method does.</summary>
    public virtual string About => "";
    /// <summary>The inputs, in form order (the page draws the form from these).</summary>
    public abstract IReadOnlyList<MethodParam> Params { get; }

    /// <summary>Whether it can run with the models present (methods without models are always ready).</summary>
    public virtual Availability Check(ModelCatalog models) => Availability.Ready;

    public abstract Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest request, CancellationToken ct);
}
