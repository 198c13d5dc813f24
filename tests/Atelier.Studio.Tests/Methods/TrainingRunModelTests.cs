using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Style;

namespace Atelier.Studio.Tests.Methods;

/// <summary>
/// What `atelier fast-style train` and `adain train` leave in a models folder: the network (X.safetensors) and
/// the run's X.safetensors.run/checkpoint.safetensors (the network beside Adam's state). Both are listed, told apart
/// by their folder, and both load: the run checkpoint gives the same picture as the network saved with it.
/// </summary>
public class TrainingRunModelTests
{
    [Fact]
    public async Task Fast_style_and_AdaIN_run_checkpoints_are_listed_and_run()
    {
        using var dir = TestPaths.NewTempDir();
        var content = Directory.CreateDirectory(dir.File("content")).FullName;
        var styles = Directory.CreateDirectory(dir.File("styles")).FullName;
        for (int i = 0; i < 2; i++) File.WriteAllBytes(Path.Combine(content, $"c{i}.png"), TinyModels.Picture(24, 24, 10 + i));
        File.WriteAllBytes(Path.Combine(styles, "s.png"), TinyModels.Picture(24, 24, 20));
        var models = Directory.CreateDirectory(dir.File("models")).FullName;

        // One step of each training, as the CLI runs them (the AdaIN one without --vgg: the built-in encoder).
        using (var lossNet = Vgg.BuiltIn(upToLayer: "relu4_3", config: VggConfig.Vgg16.Narrow(8)))
            FastStyleTrainer.Train(new FastStyleTrainOptions
            {
                StyleImage = Path.Combine(styles, "s.png"), ContentDir = content, Output = Path.Combine(models, "fast.safetensors"),
                ImageSize = 16, BatchSize = 1, Steps = 1, SampleEvery = 1,
            }, lossNet);
        using (var encoder = Vgg.BuiltInNormalised("relu4_1"))
            AdaInTrainer.Train(new AdaInTrainOptions
            {
                ContentDir = content, StyleDir = styles, Output = Path.Combine(models, "dec.safetensors"),
                LoadSize = 24, CropSize = 16, BatchSize = 1, Steps = 1, SampleEvery = 1,
            }, encoder);

        await using var s = await StudioHarness.StartAsync(o => o.ModelsDirectory = models);
        var list = (await s.GetJsonAsync("/api/models")).EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => (Id: m.GetProperty("id").GetString()!, Kind: m.GetProperty("kind").GetString()));
        Assert.Equal("fast-style", list["fast.safetensors"].Kind);
        Assert.Equal("fast-style-run", list["fast.safetensors.run/checkpoint.safetensors"].Kind);
        Assert.Equal("adain-decoder", list["dec.safetensors"].Kind);
        Assert.Equal("adain-decoder-run", list["dec.safetensors.run/checkpoint.safetensors"].Kind);

        // The panels offer the runs (AdaIN needs no VGG file: the built-in encoder is offered).
        var panels = await s.GetJsonAsync("/api/panels");
        var panel = panels.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "faststyle");
        Assert.True(panel.GetProperty("available").GetBoolean());
        var kinds = panel.GetProperty("methods").EnumerateArray().SelectMany(m => m.GetProperty("params").EnumerateArray())
            .Where(p => p.GetProperty("kind").GetString() == "model").SelectMany(p => p.GetProperty("kinds").EnumerateArray().Select(k => k.GetString())).ToList();
        Assert.Contains("fast-style-run", kinds);
        Assert.Contains("adain-decoder-run", kinds);

        var picture = TinyModels.Picture(32, 24, 30);
        var fromNet = await RunAsync(s, "style.fast", f => Fast(f, list["fast.safetensors"].Id, picture));
        var fromRun = await RunAsync(s, "style.fast", f => Fast(f, list["fast.safetensors.run/checkpoint.safetensors"].Id, picture));
        Assert.Equal((32, 24), (fromRun.Width, fromRun.Height));
        Assert.Equal(fromNet.Data, fromRun.Data);

        var decNet = await RunAsync(s, "style.adain", f => AdaIn(f, list["dec.safetensors"].Id, picture));
        var decRun = await RunAsync(s, "style.adain", f => AdaIn(f, list["dec.safetensors.run/checkpoint.safetensors"].Id, picture));
        Assert.Equal((32, 24), (decRun.Width, decRun.Height));
        Assert.Equal(decNet.Data, decRun.Data);

        // The same panel whitens and colours (WCT) on request. (This one-step decoder's output is nearly flat, so
        // the job's record of the transform is what shows the choice arrived; WCT's maths is tested in the library.)
        var (wct, done) = await s.RunJobAsync("style.adain", f => { AdaIn(f, list["dec.safetensors"].Id, picture); f.Add(new StringContent("wct"), "transform"); });
        Assert.Equal("wct", done.GetProperty("info").GetProperty("transform").GetString());
        Assert.Equal((32, 24), (wct.Width, wct.Height));
        // A transform outside the list is refused before any work.
        var (status, body) = await s.PostFormAsync("/api/jobs/style.adain", f => { AdaIn(f, list["dec.safetensors"].Id, picture); f.Add(new StringContent("histogram"), "transform"); });
        Assert.Equal(400, status);
        Assert.Contains("transform", body.ToString());
    }

    static void Fast(MultipartFormDataContent f, string model, byte[] picture)
    {
        f.Add(new StringContent(model), "model");
        StudioHarness.AddFile(f, "content", picture, "c.png");
    }

    static void AdaIn(MultipartFormDataContent f, string decoder, byte[] picture)
    {
        f.Add(new StringContent("builtin"), "vgg");
        f.Add(new StringContent(decoder), "decoder");
        StudioHarness.AddFile(f, "content", picture, "c.png");
        StudioHarness.AddFile(f, "style", TinyModels.Picture(24, 24, 31), "s.png");
    }

    static async Task<Image> RunAsync(StudioHarness s, string method, Action<MultipartFormDataContent> fill) =>
        (await s.RunJobAsync(method, fill)).Image;
}
