using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Atelier.Imaging;

namespace Atelier.Studio.Tests.Api;

/// <summary>
/// The studio under load: 50 concurrent requests of every kind plus malformed bodies (bounded rounds),
/// after which it still answers and its memory is back near where it started.
/// </summary>
public class StudioLoadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Survives_50_concurrent_requests_and_malformed_bodies_and_memory_returns_to_baseline()
    {
        // 50 requests at once from one address: more than one client's default share of connections (StudioStopTests checks that bound).
        await using var s = await StudioHarness.StartAsync(o => { o.MaxQueuedJobs = 8; o.MaxUploadBytes = 256 * 1024; o.MaxConnectionsPerClient = 128; }, new StudioMethodsForTests().All);
        var png = StudioImages.EncodePng(FlatImage(32, 32, 0.25f));

        // Warm up every path once, then take the baseline.
        await RoundAsync(s, png, 0);
        await DrainAsync(s);
        long managedBefore = SettledManagedBytes();
        long workingBefore = Environment.WorkingSet;

        var clock = Stopwatch.StartNew();
        var counts = new Dictionary<int, int>();
        for (int round = 0; round < 4; round++)
        {
            foreach (var (status, n) in await RoundAsync(s, png, round))
                counts[status] = counts.GetValueOrDefault(status) + n;
            await DrainAsync(s);
        }
        var elapsed = clock.Elapsed;

        output.WriteLine($"answers: {string.Join(", ", counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}x{kv.Value}"))} in {elapsed.TotalSeconds:0.00} s");
        // No 500s, and the kinds of answers expected: successes, refusals of bad input, a full queue.
        Assert.False(counts.ContainsKey(500), "500s: " + string.Join(", ", counts.Select(kv => $"{kv.Key}x{kv.Value}")));
        Assert.True(counts.GetValueOrDefault(200) > 0 && counts.GetValueOrDefault(202) > 0 && counts.GetValueOrDefault(400) > 0 && counts.GetValueOrDefault(415) > 0,
            string.Join(", ", counts.Select(kv => $"{kv.Key}x{kv.Value}")));

        var health = await s.GetJsonAsync("/api/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(0, health.GetProperty("jobs").GetProperty("running").GetInt32());

        long managedAfter = SettledManagedBytes();
        long workingAfter = Environment.WorkingSet;
        output.WriteLine($"managed {managedBefore >> 10} KB -> {managedAfter >> 10} KB; working set {workingBefore >> 20} MB -> {workingAfter >> 20} MB");
        // Finished jobs are kept (bounded, 32 with 32x32 results), so allow a few MB over the baseline.
        Assert.True(managedAfter - managedBefore < 24L << 20,
            $"managed memory grew from {managedBefore >> 20} MB to {managedAfter >> 20} MB");
        Assert.True(workingAfter - workingBefore < 256L << 20,
            $"working set grew from {workingBefore >> 20} MB to {workingAfter >> 20} MB");
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"4 rounds took {elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>50 requests at once: pages, JSON, jobs, bad uploads, malformed bodies, raw garbage on a socket.</summary>
    static async Task<IEnumerable<(int Status, int Count)>> RoundAsync(StudioHarness s, byte[] png, int round)
    {
        var tasks = new List<Task<int>>();
        for (int i = 0; i < 50; i++)
        {
            int k = (i + round) % 10;
            tasks.Add(k switch
            {
                0 => Get(s, "/api/health"),
                1 => Get(s, "/"),
                2 => Get(s, "/api/panels"),
                3 => Post(s, "/api/jobs/test.invert", f => StudioHarness.AddFile(f, "source", png, "a.png")),
                4 => Post(s, "/api/jobs/test.invert", f => StudioHarness.AddFile(f, "source", Encoding.UTF8.GetBytes("GIF? no: text"), "a.gif")),
                5 => Post(s, "/api/jobs/test.slow", f => { f.Add(new StringContent("5"), "steps"); f.Add(new StringContent("1"), "delayMs"); }),
                6 => Raw(s, "POST", "/api/jobs/test.invert", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\n\0\0\0"),
                7 => Raw(s, "POST", "/api/jobs/test.invert", "application/json", "{ this is not json"),
                8 => Socket(s, "GARBAGE / HTTP/9.9\r\n\r\n\r\n"),
                _ => Post(s, "/api/jobs/test.invert", f => StudioHarness.AddFile(f, "source", new byte[300 * 1024], "huge.png")),
            });
        }
        var statuses = await Task.WhenAll(tasks);
        return statuses.GroupBy(x => x).Select(g => (g.Key, g.Count()));
    }

    static async Task<int> Get(StudioHarness s, string path)
    {
        using var r = await s.Http.GetAsync(path);
        await r.Content.ReadAsByteArrayAsync();
        return (int)r.StatusCode;
    }

    static async Task<int> Post(StudioHarness s, string path, Action<MultipartFormDataContent> fill)
    {
        using var form = new MultipartFormDataContent();
        fill(form);
        try
        {
            using var r = await s.Http.PostAsync(path, form);
            await r.Content.ReadAsByteArrayAsync();
            return (int)r.StatusCode;
        }
        catch (HttpRequestException) { return 413; } // the server may close the connection on an oversized body
    }

    static async Task<int> Raw(StudioHarness s, string method, string path, string contentType, string body)
    {
        using var content = new StringContent(body);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var r = await s.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });
        await r.Content.ReadAsByteArrayAsync();
        return (int)r.StatusCode;
    }

    /// <summary>Bytes that are not HTTP at all, straight on a socket; Kestrel answers 400 or closes.</summary>
    static async Task<int> Socket(StudioHarness s, string text)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, s.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        var buffer = new byte[512];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        int n;
        try { n = await stream.ReadAsync(buffer, cts.Token); } catch (IOException) { return 400; }
        var reply = Encoding.ASCII.GetString(buffer, 0, n);
        return reply.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(reply.AsSpan(9, 3)) : 400;
    }

    static async Task DrainAsync(StudioHarness s)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            var h = await s.GetJsonAsync("/api/health");
            var jobs = h.GetProperty("jobs");
            if (jobs.GetProperty("running").GetInt32() == 0 && jobs.GetProperty("queued").GetInt32() == 0) return;
            await Task.Delay(20);
        }
        throw new TimeoutException("jobs did not drain");
    }

    static long SettledManagedBytes()
    {
        for (int i = 0; i < 3; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    static Image FlatImage(int w, int h, float v)
    {
        var img = new Image(w, h, 3);
        Array.Fill(img.Data, v);
        return img;
    }
}
