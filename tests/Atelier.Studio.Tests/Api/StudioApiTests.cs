using System.Net;
using System.Text;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Studio.Tests;

namespace Atelier.Studio.Tests.Api;

/// <summary>The JSON API against a real Kestrel on 127.0.0.1.</summary>
public class StudioApiTests
{
    static StudioMethodsForTests Methods => new();

    static byte[] Png(int w, int h, float value, int channels = 3)
    {
        var img = new Image(w, h, channels);
        Array.Fill(img.Data, value);
        return StudioImages.EncodePng(img);
    }

    [Fact]
    public async Task Health_page_and_panels_answer()
    {
        await using var s = await StudioHarness.StartAsync();
        var health = await s.GetJsonAsync("/api/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());

        var page = await s.Http.GetStringAsync("/");
        Assert.Contains("<title>Atelier studio</title>", page);
        Assert.Contains("function renderPanel", await s.Http.GetStringAsync("/app.js"));

        var panels = await s.GetJsonAsync("/api/panels");
        var ids = panels.EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.Equal(["texture", "fill", "gatys", "faststyle", "pix2pix", "cyclegan", "stylegan", "inversion"], ids);
        // With no models, the methods that need none are usable; every other panel is not, and says how to get a model.
        var withoutModels = new HashSet<string> { "texture", "fill", "gatys" };
        foreach (var p in panels.EnumerateArray())
        {
            var id = p.GetProperty("id").GetString()!;
            Assert.True(withoutModels.Contains(id) == p.GetProperty("available").GetBoolean(), p.ToString());
            if (!withoutModels.Contains(id)) Assert.Contains("--models", p.GetProperty("needs").GetString());
        }
    }

    [Fact]
    public async Task Built_in_samples_are_real_pngs()
    {
        await using var s = await StudioHarness.StartAsync();
        var bytes = await s.Http.GetByteArrayAsync("/api/samples/bricks.png?size=48");
        var img = StudioImages.DecodeRgb(bytes);
        Assert.Equal(48, img.Width);
        // A brick wall: both mortar (light) and brick (reddish) pixels.
        Assert.Contains(Enumerable.Range(0, img.PlaneSize), i => img.Data[i] > 0.7f && img.Data[2 * img.PlaneSize + i] > 0.6f);
        Assert.Contains(Enumerable.Range(0, img.PlaneSize), i => img.Data[i] > 0.45f && img.Data[2 * img.PlaneSize + i] < 0.35f);

        using var missing = await s.Http.GetAsync("/api/samples/..%2F..%2Fetc%2Fpasswd.png");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var big = await s.Http.GetAsync("/api/samples/bricks.png?size=100000");
        Assert.Equal(HttpStatusCode.BadRequest, big.StatusCode);
        Assert.Contains("size", ErrorOf(await big.Content.ReadAsStringAsync()));

        // The shipped photos and paintings are samples too, scaled to the size on their shorter side.
        var names = (await s.GetJsonAsync("/api/samples")).EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("bricks", names);
        foreach (var shipped in Atelier.Imaging.ShippedPictures.Every())
        {
            Assert.Contains(shipped.Name, names);
            var original = shipped.Load();
            var scaled = StudioImages.DecodeRgb(await s.Http.GetByteArrayAsync($"/api/samples/{shipped.Name}.png?size=96"));
            Assert.Equal(96, Math.Min(scaled.Width, scaled.Height));
            Assert.Equal((double)original.Width / original.Height, (double)scaled.Width / scaled.Height, 1);
        }
        Assert.Contains("mondrian", names); // a painting: the AdaIN panel's default style
        Assert.Contains("clock", names); // a photo: the fast-style panel's default content
    }

    [Fact]
    public async Task A_job_runs_reports_events_and_returns_the_computed_image()
    {
        await using var s = await StudioHarness.StartAsync(methods: Methods.All);
        var (status, body) = await s.PostFormAsync("/api/jobs/test.invert", f =>
        {
            StudioHarness.AddFile(f, "source", Png(6, 4, 0.2f), "a.png");
            f.Add(new StringContent("0.5"), "amount");
        });
        Assert.Equal(202, status);
        var id = body.GetProperty("id").GetString()!;

        // The event stream ends with the finished job.
        var stream = await s.Http.GetStringAsync($"/api/jobs/{id}/events");
        var last = stream.Split("\n").Where(l => l.StartsWith("data: ")).Last()[6..];
        using var lastDoc = JsonDocument.Parse(last);
        Assert.Equal("succeeded", lastDoc.RootElement.GetProperty("state").GetString());

        var result = StudioImages.DecodeRgb(await s.Http.GetByteArrayAsync($"/api/jobs/{id}/result.png"));
        Assert.Equal((6, 4), (result.Width, result.Height));
        // 0.2 -> 0.5 * 0.8 + 0.5 * 0.2 = 0.5 (to 8-bit rounding: 51/255 in, 128/255 out)
        Assert.All(result.Data, v => Assert.InRange(v, 127 / 255f, 129 / 255f));
    }

    [Fact]
    public async Task A_long_job_shows_progress_and_previews_and_can_be_cancelled()
    {
        await using var s = await StudioHarness.StartAsync(methods: Methods.All);
        var (status, body) = await s.PostFormAsync("/api/jobs/test.slow", f => { f.Add(new StringContent("1000"), "steps"); f.Add(new StringContent("20"), "delayMs"); });
        Assert.Equal(202, status);
        var id = body.GetProperty("id").GetString()!;

        JsonElement snap;
        var until = DateTime.UtcNow.AddSeconds(20);
        do { await Task.Delay(50); snap = await s.GetJsonAsync($"/api/jobs/{id}"); }
        while (!(snap.TryGetProperty("previewUrl", out _) && snap.GetProperty("progress").GetProperty("step").GetInt64() >= 3) && DateTime.UtcNow < until);
        Assert.Equal("running", snap.GetProperty("state").GetString());
        var preview = StudioImages.DecodeMask(await s.Http.GetByteArrayAsync(snap.GetProperty("previewUrl").GetString()));
        Assert.Equal(8, preview.Width);

        using (var cancel = await s.Http.PostAsync($"/api/jobs/{id}/cancel", null))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var done = await s.WaitForJobAsync(id, TimeSpan.FromSeconds(5));
        Assert.Equal("cancelled", done.GetProperty("state").GetString());
        Assert.True(done.GetProperty("progress").GetProperty("step").GetInt64() < 1000);
        using var result = await s.Http.GetAsync($"/api/jobs/{id}/result.png");
        Assert.Equal(HttpStatusCode.Conflict, result.StatusCode);
    }

    [Fact]
    public async Task A_job_past_the_time_limit_is_stopped_and_reported_as_timed_out()
    {
        await using var s = await StudioHarness.StartAsync(o => o.JobTimeout = TimeSpan.FromMilliseconds(300), Methods.All);
        var (_, body) = await s.PostFormAsync("/api/jobs/test.slow", f => { f.Add(new StringContent("10000"), "steps"); f.Add(new StringContent("10"), "delayMs"); });
        var done = await s.WaitForJobAsync(body.GetProperty("id").GetString()!, TimeSpan.FromSeconds(10));
        Assert.Equal("timedout", done.GetProperty("state").GetString());
        Assert.Contains("time limit", done.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_full_queue_refuses_new_jobs_with_429_and_queued_jobs_can_be_cancelled()
    {
        await using var s = await StudioHarness.StartAsync(o => { o.MaxConcurrentJobs = 1; o.MaxQueuedJobs = 2; }, Methods.All);
        var ids = new List<string>();
        var statuses = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            var (st, b) = await s.PostFormAsync("/api/jobs/test.slow", f => { f.Add(new StringContent("10000"), "steps"); f.Add(new StringContent("10"), "delayMs"); });
            statuses.Add(st);
            if (st == 202) ids.Add(b.GetProperty("id").GetString()!);
            else Assert.Contains("waiting", b.GetProperty("error").GetString());
            if (i == 0)
            {
                // A known state before the rest: the worker has taken the first job (one running, none waiting).
                var health = default(System.Text.Json.JsonElement);
                for (var until = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < until; await Task.Delay(10))
                {
                    health = (await s.GetJsonAsync("/api/health")).GetProperty("jobs");
                    if (health.GetProperty("running").GetInt32() == 1) break;
                }
                Assert.Equal((1, 0), (health.GetProperty("running").GetInt32(), health.GetProperty("queued").GetInt32()));
            }
        }
        // One running + two waiting; the rest refused.
        Assert.Equal([202, 202, 202, 429, 429], statuses);
        foreach (var id in ids) (await s.Http.DeleteAsync($"/api/jobs/{id}")).Dispose();
        foreach (var id in ids) Assert.Equal("cancelled", (await s.WaitForJobAsync(id)).GetProperty("state").GetString());
        // The worker frees its slot just after the job reports its end.
        int running = -1;
        for (var until = DateTime.UtcNow.AddSeconds(10); running != 0 && DateTime.UtcNow < until; await Task.Delay(20))
            running = (await s.GetJsonAsync("/api/health")).GetProperty("jobs").GetProperty("running").GetInt32();
        Assert.Equal(0, running);
    }

    [Fact]
    public async Task Uploads_are_checked_by_content_size_and_pixels()
    {
        await using var s = await StudioHarness.StartAsync(o => { o.MaxUploadBytes = 64 * 1024; o.MaxPixels = 100_000; }, Methods.All);

        // Text named .png and sent as image/png: refused by its content.
        var (st, b) = await s.PostFormAsync("/api/jobs/test.invert", f => StudioHarness.AddFile(f, "source", Encoding.UTF8.GetBytes("hello, not a picture"), "x.png"));
        Assert.Equal(415, st);
        Assert.Contains("content is checked", ErrorOf(b));

        // A PNG signature with a damaged header.
        var damaged = Png(4, 4, 0.5f); damaged[20] ^= 0xFF; damaged[21] ^= 0xFF;
        (st, b) = await s.PostFormAsync("/api/jobs/test.invert", f => StudioHarness.AddFile(f, "source", damaged, "d.png"));
        Assert.Equal(400, st);

        // Too many pixels (a small file: one flat colour compresses well).
        (st, b) = await s.PostFormAsync("/api/jobs/test.invert", f => StudioHarness.AddFile(f, "source", Png(400, 300, 0.5f), "big.png"));
        Assert.Equal(413, st);
        Assert.Contains("120000 pixels", ErrorOf(b));

        // Too many bytes.
        var noise = new Image(150, 150, 3);
        var rng = new Random(1);
        for (int i = 0; i < noise.Data.Length; i++) noise.Data[i] = (float)rng.NextDouble();
        (st, b) = await s.PostFormAsync("/api/jobs/test.invert", f => StudioHarness.AddFile(f, "source", StudioImages.EncodePng(noise), "noise.png"));
        Assert.Equal(413, st);
        Assert.Contains("bytes", ErrorOf(b));

        // Missing file, bad number, out of range.
        (st, b) = await s.PostFormAsync("/api/jobs/test.invert", f => f.Add(new StringContent("1"), "amount"));
        Assert.Equal(400, st);
        Assert.Contains("'source'", ErrorOf(b));
        (st, b) = await s.PostFormAsync("/api/jobs/test.invert", f => { StudioHarness.AddFile(f, "source", Png(4, 4, 0.5f), "a.png"); f.Add(new StringContent("lots"), "amount"); });
        Assert.Equal(400, st);
        Assert.Contains("'amount'", ErrorOf(b));
        (st, b) = await s.PostFormAsync("/api/jobs/test.invert", f => { StudioHarness.AddFile(f, "source", Png(4, 4, 0.5f), "a.png"); f.Add(new StringContent("7"), "amount"); });
        Assert.Equal(400, st);
        Assert.Contains("outside 0..1", ErrorOf(b));
    }

    [Fact]
    public async Task Malformed_requests_get_clear_json_errors()
    {
        await using var s = await StudioHarness.StartAsync(methods: Methods.All);
        async Task<(HttpStatusCode, string)> Send(HttpRequestMessage m)
        {
            using var r = await s.Http.SendAsync(m);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        var (code, body) = await Send(new HttpRequestMessage(HttpMethod.Post, "/api/jobs/test.invert") { Content = new StringContent("{\"source\": 1}", Encoding.UTF8, "application/json") });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, code);
        Assert.Contains("multipart/form-data", ErrorOf(body));

        var broken = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"source\"; filename=\"a.png\"\r\n\r\n\u0089PNG garbage without an end");
        broken.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        (code, body) = await Send(new HttpRequestMessage(HttpMethod.Post, "/api/jobs/test.invert") { Content = broken });
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.NotEmpty(ErrorOf(body));

        (code, body) = await Send(new HttpRequestMessage(HttpMethod.Post, "/api/jobs/no.such.method") { Content = new MultipartFormDataContent() });
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Contains("test.invert", ErrorOf(body));

        (code, body) = await Send(new HttpRequestMessage(HttpMethod.Get, "/api/jobs/0123456789abcdef"));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Contains("no job", ErrorOf(body));

        (code, body) = await Send(new HttpRequestMessage(HttpMethod.Get, "/api/nothing/here"));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.NotEmpty(ErrorOf(body));
    }

    [Fact]
    public async Task Models_are_listed_by_opaque_id_and_requests_cannot_name_paths()
    {
        using var dir = TestPaths.NewTempDir();
        File.WriteAllBytes(dir.File("tiny.safetensors"), SafetensorsBytes());
        File.WriteAllText(dir.File("notes.txt"), "not a model");
        await using var s = await StudioHarness.StartAsync(o => o.ModelsDirectory = dir.Path);
        var models = await s.GetJsonAsync("/api/models");
        var m = Assert.Single(models.EnumerateArray());
        Assert.Equal("tiny.safetensors", m.GetProperty("name").GetString());
        Assert.Equal("safetensors", m.GetProperty("format").GetString());
        Assert.Matches("^[0-9a-f]{12}$", m.GetProperty("id").GetString());
        Assert.DoesNotContain(dir.Path, models.ToString());

        var catalog = new Atelier.Studio.Models.ModelCatalog(s.Server.Options);
        Assert.Equal(dir.File("tiny.safetensors"), catalog.Resolve(m.GetProperty("id").GetString()).Path);
        foreach (var bad in new[] { dir.File("tiny.safetensors"), "../tiny.safetensors", "/etc/passwd", "" })
        {
            var e = Assert.Throws<StudioRequestException>(() => catalog.Resolve(bad));
            Assert.True(e.Status is 400 or 404);
        }
    }

    /// <summary>A minimal valid safetensors file: one F32 tensor of 2 values.</summary>
    static byte[] SafetensorsBytes()
    {
        var header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
        var bytes = new byte[8 + header.Length + 8];
        BitConverter.GetBytes((ulong)header.Length).CopyTo(bytes, 0);
        header.CopyTo(bytes, 8);
        BitConverter.GetBytes(1.5f).CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    internal static string ErrorOf(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ErrorOf(doc.RootElement);
    }

    internal static string ErrorOf(JsonElement body) =>
        body.TryGetProperty("error", out var e) ? e.GetString() ?? "" : throw new Xunit.Sdk.XunitException("no 'error' in " + body);
}
