using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Studio.Demo;
using Atelier.Studio.Methods;

namespace Atelier.Studio.Tests.Methods;

/// <summary>The texture panels' methods through the API, on the built-in samples.</summary>
public class TextureMethodTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static HashSet<(byte, byte, byte)> Colours(Image img)
    {
        var set = new HashSet<(byte, byte, byte)>();
        int n = img.PlaneSize;
        for (int i = 0; i < n; i++) set.Add((B(img.Data[i]), B(img.Data[n + i]), B(img.Data[2 * n + i])));
        return set;
    }

    static byte B(float v) => (byte)Math.Clamp(MathF.Round(v * 255), 0, 255);

    async Task<Image> RunAsync(StudioHarness s, string method, Action<MultipartFormDataContent> fill)
    {
        var clock = Stopwatch.StartNew();
        var (image, _) = await s.RunJobAsync(method, fill, TimeSpan.FromSeconds(60));
        output.WriteLine($"{method}: {clock.Elapsed.TotalSeconds:0.00} s");
        return image;
    }

    [Fact]
    public async Task Scanline_with_a_pyramid_copies_sample_pixels_at_the_requested_size()
    {
        await using var s = await StudioHarness.StartAsync(methods: [RegisteredMethod.For("texture.scanline")]);
        var samplePng = StudioImages.EncodePng(ProceduralSamples.Make("pebbles", 32));
        var sampleColours = Colours(StudioImages.DecodeRgb(samplePng));
        var grown = await RunAsync(s, "texture.scanline", f =>
        {
            StudioHarness.AddFile(f, "sample", samplePng, "pebbles.png");
            f.Add(new StringContent("40"), "size");
            f.Add(new StringContent("5"), "window");
            f.Add(new StringContent("2"), "levels");
        });
        Assert.Equal((40, 40), (grown.Width, grown.Height));
        // The finest level copies pixels of the sample itself; the coarse level only guides the choice.
        Assert.Empty(Colours(grown).Except(sampleColours));
        Assert.True(Colours(grown).Count > 10);
    }

    [Fact]
    public async Task A_tileable_result_comes_with_its_2x2_tiling_and_an_untiled_one_without()
    {
        await using var s = await StudioHarness.StartAsync(methods: [RegisteredMethod.For("texture.quilting")]);
        var samplePng = StudioImages.EncodePng(ProceduralSamples.Make("pebbles", 48));
        var form = (await s.GetJsonAsync("/api/panels")).ToString();
        Assert.Contains("\"tileable\"", form);
        var (tile, snap) = await s.RunJobAsync("texture.quilting", f =>
        {
            StudioHarness.AddFile(f, "sample", samplePng, "pebbles.png");
            f.Add(new StringContent("64"), "size");
            f.Add(new StringContent("both"), "tileable");
        });
        var tiledUrl = snap.GetProperty("tiledUrl").GetString()!;
        var tiled = StudioImages.DecodeRgb(await s.Http.GetByteArrayAsync(tiledUrl));
        Assert.Equal(ImageOps.Tile(tile, 2, 2).Data, tiled.Data);

        var (_, plain) = await s.RunJobAsync("texture.quilting", f =>
        {
            StudioHarness.AddFile(f, "sample", samplePng, "pebbles.png");
            f.Add(new StringContent("64"), "size");
        });
        Assert.False(plain.TryGetProperty("tiledUrl", out _)); // nulls are left out of the snapshot
        var missing = await s.Http.GetAsync($"/api/jobs/{plain.GetProperty("id").GetString()}/tiled.png");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        var (status, body) = await s.PostFormAsync("/api/jobs/texture.quilting", f =>
        {
            StudioHarness.AddFile(f, "sample", samplePng, "pebbles.png");
            f.Add(new StringContent("diagonal"), "tileable");
        });
        Assert.Equal(400, status);
        Assert.Contains("tileable", body.ToString());
    }

    [Fact]
    public async Task Quilting_and_efros_leung_make_textures_from_the_sample_pixels()
    {
        await using var s = await StudioHarness.StartAsync(methods: [RegisteredMethod.For("texture.quilting"), RegisteredMethod.For("texture.efros-leung")]);
        var sample = ProceduralSamples.Make("bricks", 48);
        var samplePng = StudioImages.EncodePng(sample);
        var sampleColours = Colours(StudioImages.DecodeRgb(samplePng));

        var quilt = await RunAsync(s, "texture.quilting", f =>
        {
            StudioHarness.AddFile(f, "sample", samplePng, "bricks.png");
            f.Add(new StringContent("96"), "size");
        });
        Assert.Equal((96, 96), (quilt.Width, quilt.Height));
        // Quilting copies pixels (cuts choose, never blend): every output colour is a sample colour.
        Assert.Empty(Colours(quilt).Except(sampleColours));
        Assert.True(Colours(quilt).Count > sampleColours.Count / 3);

        var grown = await RunAsync(s, "texture.efros-leung", f =>
        {
            StudioHarness.AddFile(f, "sample", samplePng, "bricks.png");
            f.Add(new StringContent("24"), "size");
            f.Add(new StringContent("5"), "window");
            f.Add(new StringContent("true"), "approximate");
        });
        Assert.Equal((24, 24), (grown.Width, grown.Height));
        Assert.Empty(Colours(grown).Except(sampleColours));

        // An even window is refused in the request, before any work.
        var (status, body) = await s.PostFormAsync("/api/jobs/texture.efros-leung", f =>
        {
            StudioHarness.AddFile(f, "sample", samplePng, "bricks.png");
            f.Add(new StringContent("8"), "window");
        });
        Assert.Equal(400, status);
        Assert.Contains("odd", Api.StudioApiTests.ErrorOf(body));
    }

    [Fact]
    public async Task Hole_filling_changes_only_the_painted_pixels()
    {
        await using var s = await StudioHarness.StartAsync(methods: [RegisteredMethod.For("texture.fill")]);
        var picture = StudioImages.DecodeRgb(StudioImages.EncodePng(ProceduralSamples.Make("bricks", 40)));
        var mask = new Image(40, 40, 4); // white, opaque where painted; transparent elsewhere (as the page sends it)
        for (int y = 16; y < 24; y++)
            for (int x = 12; x < 22; x++)
                for (int c = 0; c < 4; c++) mask[c, y, x] = 1f;
        var filled = await RunAsync(s, "texture.fill", f =>
        {
            StudioHarness.AddFile(f, "image", StudioImages.EncodePng(picture), "p.png");
            StudioHarness.AddFile(f, "mask", StudioImages.EncodePng(mask), "m.png");
            f.Add(new StringContent("efros-leung"), "engine"); // copies pixels whole, so no new colour may appear
            f.Add(new StringContent("7"), "window");
        });
        int n = picture.PlaneSize, changedInside = 0;
        for (int i = 0; i < n; i++)
        {
            bool hole = mask.Data[i] > 0.5f;
            for (int c = 0; c < 3; c++)
            {
                if (!hole) Assert.Equal(picture.Data[c * n + i], filled.Data[c * n + i]);
                else if (picture.Data[c * n + i] != filled.Data[c * n + i]) changedInside++;
            }
        }
        Assert.True(changedInside > 0, "the hole was not filled");
        Assert.Empty(Colours(filled).Except(Colours(picture)));

        // Nothing painted: a clear refusal.
        var (status, body) = await s.PostFormAsync("/api/jobs/texture.fill", f =>
        {
            StudioHarness.AddFile(f, "image", StudioImages.EncodePng(picture), "p.png");
            StudioHarness.AddFile(f, "mask", StudioImages.EncodePng(new Image(40, 40, 4)), "m.png");
        });
        Assert.Equal(400, status);
        Assert.Contains("nothing is painted", Api.StudioApiTests.ErrorOf(body));
    }
}
