using System.Net;
using Atelier.Imaging;

namespace Atelier.Studio.Tests.Api;

/// <summary>Other web sites cannot post jobs to the studio, nor reach it through a host name of their own.</summary>
public class RequestGuardTests
{
    static HttpRequestMessage Quilting(StudioHarness s, string? origin, string? host = null)
    {
        var form = new MultipartFormDataContent();
        StudioHarness.AddFile(form, "sample", StudioImages.EncodePng(ProceduralSamples.Make("bricks", 32)), "b.png");
        form.Add(new StringContent("32"), "size");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs/texture.quilting") { Content = form };
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (host is not null) request.Headers.Host = host;
        return request;
    }

    [Fact]
    public async Task Cross_site_posts_and_foreign_host_names_are_refused()
    {
        await using var s = await StudioHarness.StartAsync(methods: Atelier.Studio.Methods.MethodSet.All());
        var self = s.Http.BaseAddress!;

        // A page elsewhere posting a job: refused, and no job is queued.
        using (var r = await s.Http.SendAsync(Quilting(s, "http://evil.example")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
            Assert.Contains("another site", await r.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, (await s.GetJsonAsync("/api/health")).GetProperty("jobs").GetProperty("known").GetInt32());

        // The studio's own page (same origin) and clients that send no Origin (scripts, curl) are served.
        using (var r = await s.Http.SendAsync(Quilting(s, $"{self.Scheme}://{self.Authority}")))
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        using (var r = await s.Http.SendAsync(Quilting(s, null)))
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        // Another port of the same host is another origin.
        using (var r = await s.Http.SendAsync(Quilting(s, $"{self.Scheme}://{self.Host}:{self.Port + 1}")))
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);

        // DNS rebinding: a name of the attacker's that resolves to 127.0.0.1 gets nothing, not even a GET.
        using (var get = new HttpRequestMessage(HttpMethod.Get, "/api/models"))
        {
            get.Headers.Host = $"rebind.example:{self.Port}";
            using var r = await s.Http.SendAsync(get);
            Assert.Equal(HttpStatusCode.MisdirectedRequest, r.StatusCode);
        }
        using (var get = new HttpRequestMessage(HttpMethod.Get, "/api/health"))
        {
            get.Headers.Host = $"localhost:{self.Port}";
            using var r = await s.Http.SendAsync(get);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
    }

    [Fact]
    public async Task Over_long_addresses_and_headers_get_a_json_error()
    {
        await using var s = await StudioHarness.StartAsync(methods: Atelier.Studio.Methods.MethodSet.All());
        using (var r = await s.Http.GetAsync("/api/health?x=" + new string('a', 10_000)))
        {
            Assert.Equal(HttpStatusCode.RequestUriTooLong, r.StatusCode);
            Assert.Contains("longer than", Api.StudioApiTests.ErrorOf(System.Text.Json.JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement));
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        for (int i = 0; i < 8; i++) request.Headers.Add($"X-Filler-{i}", new string('b', 5000));
        using (var r = await s.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, r.StatusCode);
            Assert.Contains("headers total", Api.StudioApiTests.ErrorOf(System.Text.Json.JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement));
        }
    }
}
