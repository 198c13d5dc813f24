using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Studio.Hosting;

namespace Atelier.Cli.Commands;

/// <summary>
/// `atelier studio`: the web studio on loopback until Ctrl+C, SIGTERM or SIGHUP (the app itself lives in Atelier.Studio).
/// A stop cancels running jobs, ends their event streams with a final event and exits 0 within the grace period.
/// </summary>
public static class StudioCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on (semicolon-separated); port 0 picks a free one", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var models = new Option<string?>("--models") { Description = "Folder of checkpoints to offer (scanned one level deep)" };
        var model = new Option<string[]>("--model") { Description = "A checkpoint to offer: a file or a catalogue name, fetched on first use (repeatable)", AllowMultipleArgumentsPerToken = false };
        var jobs = new Option<int>("--jobs") { Description = "Jobs run at once", DefaultValueFactory = _ => 1 };
        var queue = new Option<int>("--queue") { Description = "Jobs allowed to wait; more are refused until some finish", DefaultValueFactory = _ => 16 };
        var timeout = new Option<double>("--job-timeout") { Description = "Seconds a job may run before it is stopped", DefaultValueFactory = _ => 600 };
        var maxUpload = new Option<long>("--max-upload") { Description = "Largest accepted image file, in bytes", DefaultValueFactory = _ => 16L << 20 };
        var grace = new Option<double>("--grace") { Description = "Seconds a stop (Ctrl+C, SIGTERM) may take: running jobs are cancelled at once, open connections cut after this", DefaultValueFactory = _ => 10 };
        var maxConnections = new Option<int>("--max-connections") { Description = "Connections one client address may hold open at once", DefaultValueFactory = _ => 32 };
        var maxPixels = new Option<long>("--max-pixels") { Description = "Largest accepted image, in pixels", DefaultValueFactory = _ => 16L << 20 };

        var cmd = new Command("studio", "Run the web studio: texture synthesis, style transfer, translation and StyleGAN in the browser")
        {
            urls, models, model, jobs, queue, timeout, maxUpload, maxPixels, grace, maxConnections,
        };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var options = new StudioOptions
            {
                Urls = ctx.Get(urls) ?? "http://127.0.0.1:5000",
                ModelsDirectory = ctx.Get(models),
                MaxConcurrentJobs = ctx.Get(jobs),
                MaxQueuedJobs = ctx.Get(queue),
                JobTimeout = TimeSpan.FromSeconds(ctx.Get(timeout)),
                MaxUploadBytes = ctx.Get(maxUpload),
                MaxPixels = ctx.Get(maxPixels),
                Device = ctx.DeviceSpec,
                ShutdownGrace = TimeSpan.FromSeconds(Math.Clamp(ctx.Get(grace), -1, 1e6)),
                ThreadsPerJob = ctx.Threads,
                MaxConnectionsPerClient = ctx.Get(maxConnections),
            };
            options.ModelFiles.AddRange((ctx.Get(model) ?? []).Select(m => ctx.ModelFile(m, Atelier.Models.ModelUse.AnyShortName, ct)));
            if (!options.IsLoopbackOnly())
                ctx.Warn($"--urls {options.Urls}: the studio has no authentication; anyone who can reach this address can use it");
            var server = StudioServer.Create(options);
            try
            {
                server.StartAsync(ct).GetAwaiter().GetResult();
                ctx.Note($"Atelier studio at {string.Join(", ", server.Addresses)} (Ctrl+C to stop)");
                ctx.Result(new { addresses = server.Addresses });
                try { Task.Delay(Timeout.Infinite, ct).GetAwaiter().GetResult(); }
                catch (OperationCanceledException) { }
                server.StopAsync().GetAwaiter().GetResult();
            }
            finally { server.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
            ctx.Note("studio stopped");
            return CliRunner.Success;
        });
        return cmd;
    }
}
