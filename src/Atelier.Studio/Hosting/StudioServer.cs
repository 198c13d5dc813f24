using System.Threading.RateLimiting;
using Atelier.Runtime;
using Atelier.Studio.Jobs;
using Atelier.Studio.Methods;
using Atelier.Studio.Models;
using Atelier.Studio.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Atelier.Studio.Hosting;

/// <summary>
/// The studio web app: Kestrel on the configured (loopback by default) addresses, the embedded page, and the
/// JSON API. <c>atelier studio</c> runs it until Ctrl+C; tests start it on port 0 and read <see cref="Addresses"/>.
/// </summary>
public sealed class StudioServer : IAsyncDisposable
{
    readonly WebApplication _app;

    public StudioOptions Options { get; }

    StudioServer(WebApplication app, StudioOptions options)
    {
        _app = app;
        Options = options;
    }

    public IServiceProvider Services => _app.Services;
    public JobQueue Jobs => _app.Services.GetRequiredService<JobQueue>();

    /// <summary>Builds the app. <paramref name="methods"/> defaults to every method this build offers.</summary>
    public static StudioServer Create(StudioOptions options, IEnumerable<StudioMethod>? methods = null, LogLevel logLevel = LogLevel.Warning)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(StudioServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(logLevel);
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // A form carries up to a few images; anything larger is refused before it is read.
            k.Limits.MaxRequestBodySize = MaxFormBytes(options);
            k.Limits.MaxConcurrentConnections = 512;
            // Kestrel refuses beyond these with an empty body; RequestGuard answers below them with a JSON error.
            k.Limits.MaxRequestHeadersTotalSize = 4 * RequestGuard.MaxHeaderBytes;
            k.Limits.MaxRequestLineSize = 4 * RequestGuard.MaxRequestLineBytes;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            // A body slower than 2 KB/s (after a 10 s grace) is cut off: an upload at the limit still fits in minutes.
            k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(bytesPerSecond: 2048, gracePeriod: TimeSpan.FromSeconds(10));
            // One client cannot hold every connection: beyond its share, new connections are closed on arrival.
            var perClient = new ConnectionsPerClient(options.MaxConnectionsPerClient);
            k.ConfigureEndpointDefaults(listen => listen.Use(perClient.Middleware));
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownGrace);
        builder.Services.Configure<FormOptions>(f =>
        {
            f.MultipartBodyLengthLimit = MaxFormBytes(options);
            f.ValueCountLimit = 64;
            f.ValueLengthLimit = 64 * 1024;
            f.KeyLengthLimit = 256;
            f.MemoryBufferThreshold = 1 << 20;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobQueue>());
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<UploadReader>();
        builder.Services.AddSingleton(new PanelCatalog(methods ?? MethodSet.All()));
        builder.Services.AddSingleton(new DeviceHolder(options.Device));
        builder.Services.AddRateLimiter(r =>
        {
            // Requests with a body (job submissions, uploads) share one concurrency limit. Reads (the page, health,
            // panels, results) and the long-lived event streams are not counted: 40 clients trickling uploads at
            // 400 bytes/s once held every slot, and the page and /api/health timed out for as long as they lasted.
            r.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
                HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method)
                    ? RateLimitPartition.GetNoLimiter("reads")
                    : RateLimitPartition.GetConcurrencyLimiter("writes", _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = options.MaxConcurrentRequests,
                        QueueLimit = options.MaxQueuedRequests,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    }));
            r.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            r.OnRejected = (ctx, ct) => new ValueTask(StudioApi.WriteErrorAsync(ctx.HttpContext, 503, "the studio is busy; try again in a moment"));
        });
        builder.Services.ConfigureHttpJsonOptions(j => StudioApi.ConfigureJson(j.SerializerOptions));

        var app = builder.Build();
        StudioApi.Map(app);
        return new StudioServer(app, options);
    }

    static long MaxFormBytes(StudioOptions o) => o.MaxUploadBytes * 3 + (1 << 20);

    public Task StartAsync(CancellationToken ct = default) => _app.StartAsync(ct);

    /// <summary>The addresses Kestrel bound (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<string> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>Runs until <paramref name="ct"/> fires, then stops gracefully (running jobs are cancelled).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await StartAsync(ct).ConfigureAwait(false);
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops within <see cref="StudioOptions.ShutdownGrace"/>: the host's stopping signal makes the job queue refuse new
    /// jobs and cancel running ones (their event streams end with the final "cancelled" event), then Kestrel closes
    /// what is still open.
    /// </summary>
    public async Task StopAsync()
    {
        using var cts = new CancellationTokenSource(Options.ShutdownGrace);
        await _app.StopAsync(cts.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);
}

/// <summary>The torch device, parsed once on first use so a studio without torch methods never loads libtorch.</summary>
public sealed class DeviceHolder(string spec)
{
    readonly Lazy<TorchSharp.torch.Device> _device = new(() => TorchRuntime.ParseDevice(spec));
    public TorchSharp.torch.Device Device => _device.Value;
}
