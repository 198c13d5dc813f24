using Atelier.Imaging;

namespace Atelier.Studio.Tests.Methods;

/// <summary>
/// The model panels (fast style, AdaIN, Pix2Pix, CycleGAN) and the model list, on the reference parity
/// checkpoints in ../shared/parity (random weights in the reference layouts; skipped when absent).
/// </summary>
public class ModelMethodTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly string[] Files =
    [
        "fast_style_transformer.pth", "adain_decoder.pth", "adain_vgg_normalised_relu4_1.pth",
        "pix2pix_unet_256_ngf8_batch.pth", "cyclegan_resnet_9blocks_ngf16_instance.pth",
    ];

    [SkippableFact]
    public async Task Models_are_recognised_and_the_model_panels_run_them()
    {
        var parity = TestPaths.Parity("");
        Skip.If(parity == null || !Directory.Exists(parity), TestPaths.SharedMissing);
        using var dir = TestPaths.NewTempDir();
        foreach (var f in Files) File.CreateSymbolicLink(dir.File(f), Path.Combine(parity!, f));
        await using var s = await StudioHarness.StartAsync(o => o.ModelsDirectory = dir.Path);

        var models = (await s.GetJsonAsync("/api/models")).EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => (Id: m.GetProperty("id").GetString()!, Kind: m.GetProperty("kind").GetString(),
                Arch: m.TryGetProperty("architecture", out var a) ? a.GetString() : null));
        foreach (var (name, m) in models) output.WriteLine($"{name}: {m.Kind}: {m.Arch}");
        // The kinds and descriptions are the library recogniser's (the same as `atelier checkpoint inspect`).
        Assert.Equal("fast-style", models["fast_style_transformer.pth"].Kind);
        Assert.Equal("adain-decoder", models["adain_decoder.pth"].Kind);
        Assert.Equal("naoto0804 AdaIN decoder", models["adain_decoder.pth"].Arch);
        Assert.Equal("vgg-normalised", models["adain_vgg_normalised_relu4_1.pth"].Kind);
        Assert.Equal("unet-generator", models["pix2pix_unet_256_ngf8_batch.pth"].Kind);
        Assert.Equal("junyanz U-Net 256 (ngf 8, batch norm)", models["pix2pix_unet_256_ngf8_batch.pth"].Arch);
        Assert.Equal("resnet-generator", models["cyclegan_resnet_9blocks_ngf16_instance.pth"].Kind);

        var panels = await s.GetJsonAsync("/api/panels");
        foreach (var id in new[] { "faststyle", "pix2pix", "cyclegan" })
            Assert.True(panels.EnumerateArray().Single(p => p.GetProperty("id").GetString() == id).GetProperty("available").GetBoolean(), id);

        var content = File.ReadAllBytes(Path.Combine(parity!, "inputs", "content.png"));
        var style = File.ReadAllBytes(Path.Combine(parity!, "inputs", "style.png"));

        // Fast style reproduces the reference output (PNG rounding).
        var fast = await RunAsync(s, "style.fast", f => { f.Add(new StringContent(models["fast_style_transformer.pth"].Id), "model"); StudioHarness.AddFile(f, "content", content, "c.png"); });
        AssertClose(StudioImages.DecodeRgb(File.ReadAllBytes(Path.Combine(parity!, "fast_style.png"))), fast, "fast style");

        // AdaIN at alpha 1 reproduces the reference; alpha (the slider) changes the result.
        Action<MultipartFormDataContent> adain(string alpha) => f =>
        {
            f.Add(new StringContent(models["adain_vgg_normalised_relu4_1.pth"].Id), "vgg");
            f.Add(new StringContent(models["adain_decoder.pth"].Id), "decoder");
            StudioHarness.AddFile(f, "content", content, "c.png");
            StudioHarness.AddFile(f, "style", style, "s.png");
            f.Add(new StringContent(alpha), "alpha");
        };
        var full = await RunAsync(s, "style.adain", adain("1"));
        AssertClose(StudioImages.DecodeRgb(File.ReadAllBytes(Path.Combine(parity!, "adain_alpha1.png"))), full, "adain alpha 1");
        var half = await RunAsync(s, "style.adain", adain("0.5"));
        double diff = full.Data.Zip(half.Data, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(diff > 0.002, $"alpha 0.5 vs 1 differ by only {diff}");

        // Pix2Pix and CycleGAN: the input's size back, the same each time (eval mode).
        var sketch = await RunAsync(s, "pix2pix.translate", f => { f.Add(new StringContent(models["pix2pix_unet_256_ngf8_batch.pth"].Id), "model"); StudioHarness.AddFile(f, "sketch", content, "k.png"); });
        var again = await RunAsync(s, "pix2pix.translate", f => { f.Add(new StringContent(models["pix2pix_unet_256_ngf8_batch.pth"].Id), "model"); StudioHarness.AddFile(f, "sketch", content, "k.png"); });
        Assert.Equal((256, 256), (sketch.Width, sketch.Height));
        Assert.Equal(sketch.Data, again.Data);
        var cycle = await RunAsync(s, "cyclegan.translate", f => { f.Add(new StringContent(models["cyclegan_resnet_9blocks_ngf16_instance.pth"].Id), "model"); StudioHarness.AddFile(f, "image", content, "i.png"); });
        Assert.Equal((256, 256), (cycle.Width, cycle.Height));

        // A model id of the wrong kind, and an id that is not in the list, are refused clearly.
        var (status, body) = await s.PostFormAsync("/api/jobs/style.fast", f => { f.Add(new StringContent("../../etc/passwd"), "model"); StudioHarness.AddFile(f, "content", content, "c.png"); });
        Assert.Equal(404, status);
        Assert.Contains("/api/models", Api.StudioApiTests.ErrorOf(body));
        (status, body) = await s.PostFormAsync("/api/jobs/cyclegan.translate", f => { f.Add(new StringContent(models["cyclegan_resnet_9blocks_ngf16_instance.pth"].Id), "model"); StudioHarness.AddFile(f, "image", content, "i.png"); f.Add(new StringContent("BtoA"), "direction"); });
        Assert.Equal(400, status);
        // A model of another kind is refused by name.
        (status, body) = await s.PostFormAsync("/api/jobs/style.fast", f => { f.Add(new StringContent(models["adain_decoder.pth"].Id), "model"); StudioHarness.AddFile(f, "content", content, "c.png"); });
        Assert.Equal(400, status);
        Assert.Contains("adain-decoder", Api.StudioApiTests.ErrorOf(body));
    }

    static void AssertClose(Image expected, Image actual, string what)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        double max = 0, sum = 0;
        for (int i = 0; i < expected.Data.Length; i++) { double d = Math.Abs(expected.Data[i] - actual.Data[i]); max = Math.Max(max, d); sum += d; }
        Assert.True(max <= 2.5 / 255 && sum / expected.Data.Length <= 0.5 / 255, $"{what}: max diff {max * 255:0.00}/255, mean {sum / expected.Data.Length * 255:0.000}/255");
    }

    static async Task<Image> RunAsync(StudioHarness s, string method, Action<MultipartFormDataContent> fill) =>
        (await s.RunJobAsync(method, fill)).Image;
}
