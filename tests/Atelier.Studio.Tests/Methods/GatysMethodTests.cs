using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Studio.Demo;
using Atelier.Studio.Methods;

namespace Atelier.Studio.Tests.Methods;

/// <summary>The Gatys panel through the API: live intermediate pictures, a result, and cancellation mid-run.</summary>
public class GatysMethodTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Gatys_texture_shows_intermediate_pictures_finishes_and_can_be_cancelled()
    {
        await using var s = await StudioHarness.StartAsync(methods: [RegisteredMethod.For("gatys.texture"), RegisteredMethod.For("gatys.transfer")]);
        s.Server.Jobs.PreviewInterval = TimeSpan.Zero;
        var sample = StudioImages.EncodePng(ProceduralSamples.Make("pebbles", 32));

        // A short run to the end.
        var clock = Stopwatch.StartNew();
        var (status, body) = await s.PostFormAsync("/api/jobs/gatys.texture", f =>
        {
            StudioHarness.AddFile(f, "sample", sample, "p.png");
            f.Add(new StringContent("32"), "size");
            f.Add(new StringContent("4"), "iterations");
            f.Add(new StringContent("adam"), "optimizer");
        });
        Assert.True(status == 202, body.ToString());
        var done = await s.WaitForJobAsync(body.GetProperty("id").GetString()!, TimeSpan.FromSeconds(240));
        output.WriteLine($"4 Adam steps at 32 px: {clock.Elapsed.TotalSeconds:0.0} s; {done}");
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        // 4 iterations at each of the default network's (ResNet-18) coarse-to-fine texture scales.
        Assert.Equal(4 * Atelier.Networks.ResNetFeatures.DefaultRecipe.TextureScales, done.GetProperty("info").GetProperty("steps").GetInt32());
        Assert.Equal("resnet18", done.GetProperty("info").GetProperty("features").GetString());
        Assert.True(done.GetProperty("previews").GetInt32() >= 1, "no intermediate picture was shown");
        var result = StudioImages.DecodeRgb(await s.Http.GetByteArrayAsync(done.GetProperty("resultUrl").GetString()));
        Assert.Equal((32, 32), (result.Width, result.Height));
        Assert.True(result.Data.Max() - result.Data.Min() > 0.1f);
        Assert.False(done.TryGetProperty("tiledUrl", out var none) && none.ValueKind != System.Text.Json.JsonValueKind.Null, "an untileable result came with a tiling");

        // A tileable run comes with its 2x2 tiling, and the texture wraps without a seam.
        (status, body) = await s.PostFormAsync("/api/jobs/gatys.texture", f =>
        {
            StudioHarness.AddFile(f, "sample", sample, "p.png");
            f.Add(new StringContent("32"), "size");
            f.Add(new StringContent("4"), "iterations");
            f.Add(new StringContent("adam"), "optimizer");
            f.Add(new StringContent("true"), "tileable");
        });
        Assert.True(status == 202, body.ToString());
        done = await s.WaitForJobAsync(body.GetProperty("id").GetString()!, TimeSpan.FromSeconds(240));
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        var tile = StudioImages.DecodeRgb(await s.Http.GetByteArrayAsync(done.GetProperty("resultUrl").GetString()));
        var tiled = StudioImages.DecodeRgb(await s.Http.GetByteArrayAsync(done.GetProperty("tiledUrl").GetString()));
        Assert.Equal((64, 64), (tiled.Width, tiled.Height));
        Assert.Equal(tile[1, 5, 7], tiled[1, 32 + 5, 32 + 7]);

        // A long run, cancelled once it has shown a picture.
        (status, body) = await s.PostFormAsync("/api/jobs/gatys.texture", f =>
        {
            StudioHarness.AddFile(f, "sample", sample, "p.png");
            f.Add(new StringContent("48"), "size");
            f.Add(new StringContent("2000"), "iterations");
        });
        var id = body.GetProperty("id").GetString()!;
        var until = DateTime.UtcNow.AddSeconds(240);
        while ((await s.GetJsonAsync($"/api/jobs/{id}")).GetProperty("previews").GetInt32() < 1 && DateTime.UtcNow < until) await Task.Delay(50);
        var cancelAt = Stopwatch.StartNew();
        (await s.Http.PostAsync($"/api/jobs/{id}/cancel", null)).Dispose();
        done = await s.WaitForJobAsync(id, TimeSpan.FromSeconds(20));
        output.WriteLine($"stopped {cancelAt.Elapsed.TotalSeconds:0.00} s after cancel, at step {done.GetProperty("progress").GetProperty("step")}");
        Assert.Equal("cancelled", done.GetProperty("state").GetString());
        Assert.True(done.GetProperty("progress").GetProperty("step").GetInt64() < 2000);
    }
}
