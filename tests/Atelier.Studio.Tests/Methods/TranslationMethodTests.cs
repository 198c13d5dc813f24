using Xunit;

namespace Atelier.Studio.Tests.Methods;

/// <summary>The registered translation methods in the studio, on tiny random-weight generators in the models folder.</summary>
public class TranslationMethodTests
{
    [Fact]
    public async Task The_old_ids_still_run_and_the_rescaled_size_is_capped()
    {
        using var dir = TestPaths.NewTempDir();
        TinyModels.SavePix2Pix(dir.File("edges.safetensors"));
        await using var s = await StudioHarness.StartAsync(o => { o.ModelsDirectory = dir.Path; o.ModelRescanInterval = TimeSpan.Zero; });
        var model = (await s.GetJsonAsync("/api/models")).EnumerateArray().Single().GetProperty("id").GetString()!;
        var sketch = TinyModels.Picture(40, 24, 1);
        Action<MultipartFormDataContent> Form(string? size) => f =>
        {
            f.Add(new StringContent(model), "model");
            StudioHarness.AddFile(f, "sketch", sketch, "k.png");
            if (size is not null) f.Add(new StringContent(size), "size");
        };

        // The earlier API id reaches the registered method: the same picture, at the input's size.
        var (now, info) = await s.RunJobAsync("pix2pix.translate", Form(null));
        var (before, _) = await s.RunJobAsync("translate.pix2pix", Form(null));
        Assert.Equal((40, 24), (now.Width, now.Height));
        Assert.Equal(now.Data, before.Data);
        Assert.Equal("unet_32", info.GetProperty("info").GetProperty("generator").GetString());

        // The shorter side may be set, but not past what the studio allows a picture.
        var (scaled, _) = await s.RunJobAsync("pix2pix.translate", Form("48"));
        Assert.Equal((80, 48), (scaled.Width, scaled.Height));
        var (status, body) = await s.PostFormAsync("/api/jobs/pix2pix.translate", Form("4096"));
        Assert.Equal(413, status);
        Assert.Contains("'size'", Api.StudioApiTests.ErrorOf(body));
    }
}
