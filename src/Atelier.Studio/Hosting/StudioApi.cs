using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Atelier.Imaging;
using Atelier.Studio.Demo;
using Atelier.Studio.Jobs;
using Atelier.Studio.Methods;
using Atelier.Studio.Models;
using Atelier.Studio.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atelier.Studio.Hosting;

/// <summary>
/// The HTTP surface: the page (embedded files) and a small JSON API. Every failure is {"error": "..."} with a
/// 4xx (the client's fault) or 500 (ours, logged). Models are named by id, methods by a fixed name, samples by
/// a fixed name: nothing in a request is ever used as a path.
/// </summary>
public static class StudioApi
{
    static readonly JsonSerializerOptions Json = ConfigureJson(new JsonSerializerOptions(JsonSerializerDefaults.Web));
    static int _eventStreams;
    const int MaxEventStreams = 64;

    public static JsonSerializerOptions ConfigureJson(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        o.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return o;
    }

    public static void Map(WebApplication app)
    {
        app.Use(ErrorsAsJson);
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (!http.Response.HasStarted && http.Response.ContentLength is null or 0)
                await WriteErrorAsync(http, http.Response.StatusCode, http.Response.StatusCode switch
                {
                    404 => $"no such address: {Short(http.Request.Path.Value)}",
                    405 => $"{http.Request.Method} is not allowed here",
                    _ => $"request failed ({http.Response.StatusCode})",
                }).ConfigureAwait(false);
        });
        app.Use(RequestGuard.Middleware(app.Services.GetRequiredService<StudioOptions>()));
        app.UseRateLimiter();

        // The page.
        app.MapGet("/", () => Resource("index.html", "text/html; charset=utf-8"));
        app.MapGet("/app.js", () => Resource("app.js", "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", () => Resource("app.css", "text/css; charset=utf-8"));

        var api = app.MapGroup("/api");
        api.MapGet("/health", (JobQueue jobs) => Results.Json(new
        {
            status = "ok",
            jobs = new { running = jobs.Running, queued = jobs.Queued, known = jobs.Known },
            managedBytes = GC.GetTotalMemory(false),
            workingSetBytes = Environment.WorkingSet,
        }, Json));
        api.MapGet("/panels", (PanelCatalog panels, ModelCatalog models) => Results.Json(panels.Describe(models), Json));
        api.MapGet("/models", (ModelCatalog models) => Results.Json(models.List(), Json));
        api.MapGet("/limits", (StudioOptions o) => Results.Json(new
        {
            maxUploadBytes = o.MaxUploadBytes, maxPixels = o.MaxPixels, maxConcurrentJobs = o.MaxConcurrentJobs,
            maxQueuedJobs = o.MaxQueuedJobs, jobTimeoutSeconds = o.JobTimeout.TotalSeconds,
        }, Json));
        // The built-in pictures: the procedural samples (size: the side), the shipped photos, paintings and glyphs, and the photos' sketches (size: the shorter side).
        api.MapGet("/samples", () => Results.Json(SampleNames(), Json));
        api.MapGet("/samples/{name}.png", (string name, int? size) =>
        {
            var shipped = ShippedPictures.Every().FirstOrDefault(p => p.Name == name);
            var sketched = SketchedPhoto(name);
            if (!ProceduralSamples.Names.Contains(name) && shipped is null && sketched is null)
                throw new StudioRequestException(404, $"no built-in sample '{Short(name)}' (have: {string.Join(", ", SampleNames())})");
            int s = size ?? 64;
            if (s < 16 || s > 512) throw new StudioRequestException(400, $"'size': {s} is outside 16..512");
            var image = shipped is not null ? ImageResize.ResizeShorterSide(ImageOps.ToRgb(shipped.Load()), s)
                : sketched is not null ? new Atelier.Methods.SampleSketch(sketched.Name, s).Draw()
                : ProceduralSamples.Make(name, s);
            return Results.Bytes(StudioImages.EncodePng(image), "image/png");
        });

        api.MapPost("/jobs/{method}", SubmitAsync);
        api.MapGet("/jobs/{id}", (string id, JobQueue jobs) => Results.Json(FindJob(jobs, id).Snapshot(), Json));
        api.MapGet("/jobs/{id}/events", EventsAsync);
        api.MapGet("/jobs/{id}/result.png", (string id, JobQueue jobs) =>
        {
            var job = FindJob(jobs, id);
            return job.ResultPng is { } png ? Results.Bytes(png, "image/png")
                : throw new StudioRequestException(409, $"job {id} has no result (it is {job.State.ToString().ToLowerInvariant()})");
        });
        api.MapGet("/jobs/{id}/tiled.png", (string id, JobQueue jobs) =>
        {
            var job = FindJob(jobs, id);
            return job.TiledPng is { } png ? Results.Bytes(png, "image/png")
                : throw new StudioRequestException(job.ResultPng is null ? 409 : 404, $"job {id} has no tiled preview (only a tileable result has one)");
        });
        api.MapGet("/jobs/{id}/preview.png", (string id, JobQueue jobs) =>
        {
            var job = FindJob(jobs, id);
            return (job.PreviewPng ?? job.ResultPng) is { } png ? Results.Bytes(png, "image/png")
                : throw new StudioRequestException(404, $"job {id} has no intermediate picture yet");
        });
        api.MapPost("/jobs/{id}/cancel", (string id, JobQueue jobs) => CancelJob(jobs, id));
        api.MapDelete("/jobs/{id}", (string id, JobQueue jobs) => CancelJob(jobs, id));
        api.Map("/{**rest}", (HttpContext ctx) =>
            throw new StudioRequestException(404, $"no such API address: {Short(ctx.Request.Path.Value)}"));
    }

    static IResult CancelJob(JobQueue jobs, string id)
    {
        var job = FindJob(jobs, id);
        bool cancelled = job.Cancel();
        return Results.Json(new { cancelled, job = job.Snapshot() }, Json, statusCode: 202);
    }

    static Job FindJob(JobQueue jobs, string id) =>
        jobs.Find(id) ?? throw new StudioRequestException(404, $"no job '{Short(id)}' (finished jobs are forgotten after a while)");

    static async Task<IResult> SubmitAsync(string method, HttpContext http, PanelCatalog panels, ModelCatalog models,
        UploadReader uploads, StudioOptions options, DeviceHolder device, JobQueue jobs)
    {
        var m = panels.Find(method) ?? throw new StudioRequestException(404,
            $"no method '{Short(method)}' (have: {string.Join(", ", panels.Methods.Select(x => x.Id))})");
        var availability = m.Check(models);
        if (!availability.Available) throw new StudioRequestException(409, $"{m.Title} is not available: {availability.Needs}");
        if (!http.Request.HasFormContentType)
            throw new StudioRequestException(415, "send the request as multipart/form-data (fields and image files)");
        // Refuse early when the queue is full: no point reading and decoding the uploads.
        if (jobs.Queued >= options.MaxQueuedJobs)
            throw new StudioRequestException(429, $"{options.MaxQueuedJobs} jobs are already waiting; try again when some have finished");
        IFormCollection form;
        try { form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false); }
        catch (Exception e) when (e is InvalidDataException or IOException && !http.RequestAborted.IsCancellationRequested && e is not BadHttpRequestException)
        {
            throw new StudioRequestException(400, "malformed form data: " + e.Message);
        }
        var request = new MethodRequest(new FormFields(form), uploads, models, options, () => device.Device, jobs);
        // The library's messages name its parameters; the web user reads them as this method's fields.
        var fields = new FieldSpelling(m.Params);
        Func<JobContext, JobOutput> work;
        try { work = await m.PrepareAsync(request, http.RequestAborted).ConfigureAwait(false); }
        catch (AtelierException e) { throw new StudioRequestException(400, fields.Message(e)); }
        var job = new Job(m.Id, work, fields);
        if (jobs.IsShuttingDown) throw new StudioRequestException(503, "the studio is shutting down");
        if (!jobs.TryEnqueue(job))
            throw new StudioRequestException(429, $"{options.MaxQueuedJobs} jobs are already waiting; try again when some have finished");
        return Results.Json(job.Snapshot(), Json, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>Server-sent events: one "job" event per change (progress, preview, result), until the job ends.</summary>
    static async Task EventsAsync(string id, HttpContext http, JobQueue jobs)
    {
        var job = FindJob(jobs, id);
        if (Interlocked.Increment(ref _eventStreams) > MaxEventStreams)
        {
            Interlocked.Decrement(ref _eventStreams);
            throw new StudioRequestException(503, $"too many open event streams (limit {MaxEventStreams}); poll /api/jobs/{{id}} instead");
        }
        try
        {
            http.Response.Headers.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            var ct = http.RequestAborted;
            long seen = -1;
            while (!ct.IsCancellationRequested)
            {
                var snap = job.Snapshot();
                if (snap.Version != seen)
                {
                    seen = snap.Version;
                    var data = JsonSerializer.Serialize(snap, Json);
                    await http.Response.WriteAsync($"event: job\ndata: {data}\n\n", ct).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                    if (job.IsFinished && snap.State != "queued" && snap.State != "running") break;
                }
                else
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                }
                await job.WaitForChangeAsync(seen, TimeSpan.FromSeconds(15), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested) { }
        finally { Interlocked.Decrement(ref _eventStreams); }
    }

    static async Task ErrorsAsJson(HttpContext http, Func<Task> next)
    {
        try { await next().ConfigureAwait(false); }
        catch (StudioRequestException e) { await WriteErrorAsync(http, e.Status, e.Message).ConfigureAwait(false); }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(http, e.StatusCode == 413 ? 413 : 400, e.StatusCode == 413
                ? "the request is too large for this studio's upload limit" : "malformed request: " + e.Message).ConfigureAwait(false);
        }
        catch (InvalidDataException e) { await WriteErrorAsync(http, 400, "malformed form data: " + e.Message).ConfigureAwait(false); }
        catch (AtelierException e) { await WriteErrorAsync(http, 400, FieldSpelling.None.Message(e)).ConfigureAwait(false); }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested) { /* the client left */ }
        catch (IOException) when (http.RequestAborted.IsCancellationRequested) { }
        catch (Exception e)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Atelier.Studio")
                .LogError(e, "request {Path} failed", http.Request.Path.Value);
            await WriteErrorAsync(http, 500, $"internal error ({e.GetType().Name})").ConfigureAwait(false);
        }
    }

    public static async Task WriteErrorAsync(HttpContext http, int status, string message)
    {
        if (http.Response.HasStarted) return;
        http.Response.Clear();
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new { error = message }, Json)).ConfigureAwait(false);
    }

    static IResult Resource(string name, string contentType)
    {
        using var s = typeof(StudioApi).Assembly.GetManifestResourceStream("wwwroot/" + name)
            ?? throw new StudioRequestException(404, $"the page resource {name} is missing from this build");
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return Results.Bytes(ms.ToArray(), contentType);
    }

    static IReadOnlyList<string> SampleNames() =>
        [.. ProceduralSamples.Names, .. ShippedPictures.Every().Select(p => p.Name), .. ShippedPictures.Photos.All().Select(p => p.Name + SketchSuffix)];

    const string SketchSuffix = "-sketch";

    /// <summary>The shipped photo behind a NAME-sketch sample (its XDoG sketch, what the shipped pix2pix reads), or null.</summary>
    static ShippedPicture? SketchedPhoto(string name) => name.EndsWith(SketchSuffix, StringComparison.Ordinal)
        ? ShippedPictures.Photos.All().FirstOrDefault(p => p.Name == name[..^SketchSuffix.Length]) : null;

    static string Short(string? s) => s == null ? "" : s.Length <= 60 ? s : s[..60] + "...";
}
