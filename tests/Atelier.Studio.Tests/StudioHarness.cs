using System.Net.Http.Headers;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Studio.Hosting;
using Atelier.Studio.Methods;

namespace Atelier.Studio.Tests;

/// <summary>A real studio on a free loopback port (Kestrel, port 0) and an HttpClient for it.</summary>
public sealed class StudioHarness : IAsyncDisposable
{
    public StudioServer Server { get; }
    public HttpClient Http { get; }
    public Uri BaseAddress { get; }

    StudioHarness(StudioServer server, Uri baseAddress)
    {
        Server = server;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public static async Task<StudioHarness> StartAsync(Action<StudioOptions>? configure = null, IEnumerable<StudioMethod>? methods = null)
    {
        // Tests choose their models: the shipped ones only when a test asks (ShippedModels = true).
        var options = new StudioOptions { Urls = "http://127.0.0.1:0", CacheDirectory = null, ShippedModels = false };
        configure?.Invoke(options);
        var server = StudioServer.Create(options, methods);
        await server.StartAsync();
        var address = server.Addresses.Single();
        Assert.StartsWith("http://127.0.0.1:", address);
        return new StudioHarness(server, new Uri(address));
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var r = await Http.GetAsync(path);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"GET {path}: {(int)r.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>POSTs a multipart form; returns the status and the parsed JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> PostFormAsync(string path, Action<MultipartFormDataContent> fill)
    {
        using var form = new MultipartFormDataContent();
        fill(form);
        using var r = await Http.PostAsync(path, form);
        var text = await r.Content.ReadAsStringAsync();
        return ((int)r.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static void AddFile(MultipartFormDataContent form, string field, byte[] bytes, string fileName, string contentType = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(content, field, fileName);
    }

    /// <summary>Polls a job until it leaves queued/running (bounded), returning its last snapshot.</summary>
    public async Task<JsonElement> WaitForJobAsync(string id, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var snap = await GetJsonAsync($"/api/jobs/{id}");
            var s = snap.GetProperty("state").GetString();
            if (s is not ("queued" or "running")) return snap;
            if (DateTime.UtcNow > until) throw new TimeoutException($"job {id} still {s}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Submits a job to <paramref name="method"/>, requires it to be accepted and to succeed, and returns its result
    /// picture with the final snapshot (for the job's info).
    /// </summary>
    public async Task<(Image Image, JsonElement Snapshot)> RunJobAsync(string method, Action<MultipartFormDataContent> fill, TimeSpan? timeout = null)
    {
        var (status, body) = await PostFormAsync($"/api/jobs/{method}", fill);
        Assert.True(status == 202, $"{method}: {body}");
        var done = await WaitForJobAsync(body.GetProperty("id").GetString()!, timeout ?? TimeSpan.FromSeconds(120));
        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());
        return (StudioImages.DecodeRgb(await Http.GetByteArrayAsync(done.GetProperty("resultUrl").GetString())), done);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
    }
}
