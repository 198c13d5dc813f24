using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Studio.Hosting;
using Atelier.Studio.Tests;
using Xunit.Abstractions;

namespace Atelier.Studio.Tests.Api;

/// <summary>
/// How the studio stops and how it shares itself: SIGTERM (docker stop, systemd) cancels running jobs, ends their
/// event streams with a final event and exits 0 within the grace period; one client cannot hold every connection.
/// </summary>
public class StudioStopTests(ITestOutputHelper output)
{
    static StudioMethodsForTests Methods => new();
    internal static byte[] Sample { get; } = StudioImages.EncodePng(ProceduralSamples.Make("pebbles", 32));

    internal static Action<MultipartFormDataContent> LongGatys => f =>
    {
        StudioHarness.AddFile(f, "sample", Sample, "p.png");
        f.Add(new StringContent("48"), "size");
        f.Add(new StringContent("2000"), "iterations");
    };

    /// <summary>Reads a job's event stream to its end; the parsed data of every "job" event.</summary>
    internal static async Task<List<JsonElement>> ReadEventsAsync(HttpClient http, string id, Action? onFirst = null)
    {
        var events = new List<JsonElement>();
        using var r = await http.GetAsync($"/api/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await r.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            events.Add(JsonDocument.Parse(line[6..]).RootElement.Clone());
            if (events.Count == 1) onFirst?.Invoke();
        }
        return events;
    }

    internal static async Task<(int Status, JsonElement Body)> PostAsync(HttpClient http, string method, Action<MultipartFormDataContent> fill)
    {
        using var form = new MultipartFormDataContent();
        fill(form);
        using var r = await http.PostAsync($"/api/jobs/{method}", form);
        var text = await r.Content.ReadAsStringAsync();
        return ((int)r.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Sigterm_cancels_running_jobs_ends_their_event_streams_and_exits_0_within_the_grace_period()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var studio = StudioProcess.Start("--grace", "5");
        var (status, body) = await PostAsync(studio.Http, "gatys.texture", LongGatys);
        Assert.True(status == 202, body.ToString());
        var id = body.GetProperty("id").GetString()!;
        // Wait until the job runs (its first step), with its event stream open.
        var until = DateTime.UtcNow.AddSeconds(120);
        JsonElement snap;
        do { await Task.Delay(100); snap = JsonDocument.Parse(await studio.Http.GetStringAsync($"/api/jobs/{id}")).RootElement.Clone(); }
        while (!(snap.GetProperty("state").GetString() == "running" && snap.TryGetProperty("progress", out var p) && p.GetProperty("step").GetInt64() >= 1) && DateTime.UtcNow < until);
        Assert.Equal("running", snap.GetProperty("state").GetString());
        var stream = ReadEventsAsync(studio.Http, id);

        await Task.Delay(300); // the stream is open
        var clock = Stopwatch.StartNew();
        studio.Signal(15);
        var events = await stream.WaitAsync(TimeSpan.FromSeconds(30));
        var exit = studio.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine($"exited {exit} after {clock.Elapsed.TotalSeconds:0.0} s; {events.Count} events\n{studio.Stderr}");

        Assert.Equal(0, exit);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5 + 5), $"took {clock.Elapsed.TotalSeconds:0.0} s with a 5 s grace");
        var last = events[^1];
        Assert.Equal("cancelled", last.GetProperty("state").GetString());
        Assert.Contains("shutting down", last.GetProperty("error").GetString());
        Assert.True(last.GetProperty("progress").GetProperty("step").GetInt64() < 2000);
        Assert.Contains("stopping (SIGTERM)", studio.Stderr);
    }

    [Fact]
    public async Task A_stopping_studio_refuses_new_jobs_with_503()
    {
        await using var s = await StudioHarness.StartAsync(methods: Methods.All);
        s.Server.Jobs.BeginShutdown();
        var (status, body) = await s.PostFormAsync("/api/jobs/test.slow", f => f.Add(new StringContent("3"), "steps"));
        Assert.Equal(503, status);
        Assert.Contains("shutting down", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task One_client_cannot_hold_every_connection()
    {
        await using var s = await StudioHarness.StartAsync(o => o.MaxConnectionsPerClient = 4);
        var idle = new List<TcpClient>();
        try
        {
            // Four connections that send nothing hold this client's share...
            for (int i = 0; i < 4; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, s.BaseAddress.Port);
                idle.Add(c);
            }
            await Task.Delay(200);
            // ...so a fifth from the same address is closed on arrival, without a reply.
            using (var extra = new TcpClient())
            {
                // The server closes it at once: the reset may reach the connect, the write or the read.
                int n;
                try
                {
                    await extra.ConnectAsync(IPAddress.Loopback, s.BaseAddress.Port);
                    var stream = extra.GetStream();
                    await stream.WriteAsync("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray());
                    n = await stream.ReadAsync(new byte[256]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (Exception e) when (e is IOException or SocketException) { n = 0; }
                Assert.Equal(0, n);
            }
            // Once they close, the client is served again.
            foreach (var c in idle) c.Dispose();
            idle.Clear();
            var until = DateTime.UtcNow.AddSeconds(10);
            HttpStatusCode? code = null;
            while (code != HttpStatusCode.OK && DateTime.UtcNow < until)
            {
                try { using var r = await s.Http.GetAsync("/api/health"); code = r.StatusCode; }
                catch (HttpRequestException) { await Task.Delay(100); }
            }
            Assert.Equal(HttpStatusCode.OK, code);
        }
        finally { foreach (var c in idle) c.Dispose(); }
    }

    [Fact]
    public void Jobs_times_threads_is_bounded_by_the_cores()
    {
        int cores = Environment.ProcessorCount;
        new StudioOptions { MaxConcurrentJobs = 4, ThreadsPerJob = cores }.Validate();
        var e = Assert.Throws<AtelierUsageException>(() => new StudioOptions { MaxConcurrentJobs = 5, ThreadsPerJob = cores }.Validate());
        Assert.Contains("MaxConcurrentJobs", e.Parameters);
        Assert.Contains($"at most {4 * cores} threads", e.Message);
        new StudioOptions { MaxConcurrentJobs = 4 * cores, ThreadsPerJob = 1 }.Validate();
    }
}
