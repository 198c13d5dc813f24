using Atelier.Studio.Methods;
using System.Text.Json;
using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.StyleGan;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Studio.Tests.Methods;

/// <summary>
/// The StyleGAN and inversion panels over the API, on a tiny random-weight 16 px generator saved in the models
/// folder (g_ema layout, as rosinality's and `atelier stylegan train`'s checkpoints hold it).
/// </summary>
public class StyleGanMethodTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A 16 px generator with 8 channels (weights fixed by the seed), written as g_ema.* safetensors.</summary>
    internal static Generator SaveTinyGenerator(string path, long seed = 7)
    {
        manual_seed(seed);
        var g = new Generator(new GeneratorConfig(16, 16, NMlp: 2, ChannelMultiplier: 1, MaxChannels: 8));
        SafeTensors.Save(path, g.state_dict().ToDictionary(kv => "g_ema." + kv.Key, kv => kv.Value));
        return g;
    }

    [Fact]
    public async Task Seeds_mixing_inversion_and_edits_run_on_a_tiny_generator()
    {
        using var dir = TestPaths.NewTempDir();
        using var g = SaveTinyGenerator(dir.File("tiny.safetensors"));
        await using var s = await StudioHarness.StartAsync(o => { o.ModelsDirectory = dir.Path; o.ModelRescanInterval = TimeSpan.Zero; });

        // The recogniser's kind and parameters are what the page filters on; both panels are ready.
        var model = (await s.GetJsonAsync("/api/models")).EnumerateArray().Single();
        Assert.Equal("stylegan2-generator", model.GetProperty("kind").GetString());
        Assert.Equal(16, model.GetProperty("parameters").GetProperty("size").GetInt32());
        var id = model.GetProperty("id").GetString()!;
        var panels = await s.GetJsonAsync("/api/panels");
        foreach (var p in new[] { "stylegan", "inversion" })
            Assert.True(panels.EnumerateArray().Single(x => x.GetProperty("id").GetString() == p).GetProperty("available").GetBoolean(), p);

        // Seeds: at truncation 0 every seed is the mean image; at 1 seeds differ. Truncation's mean-w cache is not listed as a model.
        Action<MultipartFormDataContent> Seeds(int seed, string psi) => f => { f.Add(new StringContent(id), "model"); f.Add(new StringContent(seed.ToString()), "seed"); f.Add(new StringContent("1"), "count"); f.Add(new StringContent(psi), "truncation"); };
        var (a0, _) = await RunAsync(s, "stylegan.generate", Seeds(3, "0"));
        var (b0, _) = await RunAsync(s, "stylegan.generate", Seeds(7, "0"));
        var (a1, _) = await RunAsync(s, "stylegan.generate", Seeds(3, "1"));
        var (b1, _) = await RunAsync(s, "stylegan.generate", Seeds(7, "1"));
        Assert.Equal(a0.Data, b0.Data);
        // The generator stays loaded between jobs (a live slider re-runs them), and a reused one gives the same pictures.
        Assert.True(GeneratorPool.IdleCount >= 1, "no generator was kept for the next job");
        Assert.NotEqual(a1.Data, b1.Data);
        using (no_grad())
        {
            var expected = StyleMixing.ToImage(g.Generate(SeedList.Z(7, g.StyleDim), LatentSpace.Z));
            Assert.True(expected.Data.Zip(b1.Data, (x, y) => Math.Abs(x - y)).Max() <= 1.0 / 255 + 1e-6, "seed 7 differs from the library's image");
        }
        var (sheet, _) = await RunAsync(s, "stylegan.generate", f => { f.Add(new StringContent(id), "model"); f.Add(new StringContent("4"), "count"); });
        Assert.True(sheet.Width > 4 * 16, $"a sheet of 4 seeds is {sheet.Width} px wide");
        // Read afresh (no rescan interval here): the jobs wrote nothing into the models folder.
        Assert.Single((await s.GetJsonAsync("/api/models")).EnumerateArray());

        // Mixing: the crossover slider changes the grid; beyond the generator's latents it is refused.
        Action<MultipartFormDataContent> Mix(string k) => f => { f.Add(new StringContent(id), "model"); f.Add(new StringContent("2"), "count"); f.Add(new StringContent(k), "crossover"); };
        var (m2, _) = await RunAsync(s, "stylegan.mix", Mix("2"));
        var (m4, info4) = await RunAsync(s, "stylegan.mix", Mix("4"));
        Assert.NotEqual(m2.Data, m4.Data);
        Assert.Equal("0-3", info4.GetProperty("info").GetProperty("fromColumns").GetString());
        var (status, body) = await s.PostFormAsync("/api/jobs/stylegan.mix", Mix("6"));
        Assert.Equal(400, status);
        Assert.Contains("crossover", body.GetProperty("error").GetString());

        // Inversion of a picture the generator made: PSNR rises with the steps, progress carries PSNR and perceptual distance.
        byte[] target;
        using (no_grad()) target = StudioImages.EncodePng(StyleMixing.ToImage(g.Generate(SeedList.Z(11, g.StyleDim), LatentSpace.Z)));
        Action<MultipartFormDataContent> Invert(string steps) => f => { f.Add(new StringContent(id), "model"); StudioHarness.AddFile(f, "image", target, "t.png"); f.Add(new StringContent(steps), "steps"); };
        var (_, first) = await RunAsync(s, "stylegan.invert", Invert("1"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (recon, inv) = await RunAsync(s, "stylegan.invert", Invert("40"));
        output.WriteLine($"40 inversion steps took {clock.Elapsed.TotalSeconds:F1} s");
        double psnr1 = first.GetProperty("info").GetProperty("psnr").GetDouble(), psnr40 = inv.GetProperty("info").GetProperty("psnr").GetDouble();
        output.WriteLine($"inversion PSNR: 1 step {psnr1:F2} dB, 40 steps {psnr40:F2} dB");
        Assert.True(psnr40 > psnr1 + 3, $"PSNR {psnr1:F2} -> {psnr40:F2} dB");
        var metrics = inv.GetProperty("progress").GetProperty("metrics");
        Assert.True(metrics.GetProperty("perceptual").GetDouble() > 0);
        Assert.InRange(Math.Abs(psnr40 - Psnr(StudioImages.DecodeRgb(target), recon)), 0, 0.5); // the reported PSNR is the result's (PNG rounding aside)
        var inversion = inv.GetProperty("id").GetString()!;

        // Edits from the inversion: morph at l = 1 is the reconstruction's code, at l = 0 the seed's.
        Action<MultipartFormDataContent> Morph(string l) => f => { f.Add(new StringContent(id), "model"); f.Add(new StringContent("job:" + inversion), "from"); f.Add(new StringContent("seed:2"), "to"); f.Add(new StringContent(l), "lambda"); };
        var (morph1, _) = await RunAsync(s, "stylegan.morph", Morph("1"));
        var (morphHalf, _) = await RunAsync(s, "stylegan.morph", Morph("0.5"));
        Assert.NotEqual(morph1.Data, morphHalf.Data);
        var (cross, crossInfo) = await RunAsync(s, "stylegan.crossover", f => { f.Add(new StringContent(id), "model"); f.Add(new StringContent("job:" + inversion), "shallow"); f.Add(new StringContent("5"), "deep"); f.Add(new StringContent("3"), "split"); });
        Assert.Equal(3, crossInfo.GetProperty("info").GetProperty("split").GetInt32());
        (status, body) = await s.PostFormAsync("/api/jobs/stylegan.morph", f => { f.Add(new StringContent(id), "model"); f.Add(new StringContent("job:0123456789abcdef"), "from"); f.Add(new StringContent("1"), "to"); });
        Assert.Equal(404, status);
        var seedsJob = (await s.PostFormAsync("/api/jobs/stylegan.generate", Seeds(1, "1"))).Body.GetProperty("id").GetString()!;
        await s.WaitForJobAsync(seedsJob);
        (status, body) = await s.PostFormAsync("/api/jobs/stylegan.morph", f => { f.Add(new StringContent(id), "model"); f.Add(new StringContent("job:" + seedsJob), "from"); f.Add(new StringContent("1"), "to"); });
        Assert.Equal(400, status);
        Assert.Contains("no latent code", body.GetProperty("error").GetString());

        // The degraded inversions: super-resolution from 4x4, inpainting with a painted hole, a sketch.
        var low = StudioImages.EncodePng(ImageResize.Resize(StudioImages.DecodeRgb(target), 4, 4, ResizeFilter.Area));
        var (sr, srInfo) = await RunAsync(s, "stylegan.superres", f => { f.Add(new StringContent(id), "model"); StudioHarness.AddFile(f, "image", low, "l.png"); f.Add(new StringContent("4"), "factor"); f.Add(new StringContent("5"), "steps"); f.Add(new StringContent("false"), "perceptual"); });
        Assert.Equal((16, 16), (sr.Width, sr.Height));
        Assert.Equal("downsample x4", srInfo.GetProperty("info").GetProperty("degradation").GetString());
        var mask = new Image(16, 16, 1);
        for (int y = 4; y < 10; y++) for (int x = 4; x < 10; x++) mask[0, y, x] = 1;
        var (_, inpaint) = await RunAsync(s, "stylegan.inpaint", f => { f.Add(new StringContent(id), "model"); StudioHarness.AddFile(f, "image", target, "t.png"); StudioHarness.AddFile(f, "mask", StudioImages.EncodePng(mask), "m.png"); f.Add(new StringContent("5"), "steps"); f.Add(new StringContent("false"), "perceptual"); });
        Assert.Equal("mask", inpaint.GetProperty("info").GetProperty("degradation").GetString());
        (status, body) = await s.PostFormAsync("/api/jobs/stylegan.inpaint", f => { f.Add(new StringContent(id), "model"); StudioHarness.AddFile(f, "image", target, "t.png"); StudioHarness.AddFile(f, "mask", StudioImages.EncodePng(new Image(16, 16, 1)), "m.png"); });
        Assert.Equal(400, status);
        var (_, sketch) = await RunAsync(s, "stylegan.sketch", f => { f.Add(new StringContent(id), "model"); StudioHarness.AddFile(f, "sketch", target, "k.png"); f.Add(new StringContent("5"), "steps"); f.Add(new StringContent("false"), "perceptual"); });
        Assert.Equal("edges", sketch.GetProperty("info").GetProperty("degradation").GetString());
    }

    [Fact]
    public async Task Without_a_generator_the_panels_say_how_to_get_one()
    {
        await using var s = await StudioHarness.StartAsync();
        var panels = await s.GetJsonAsync("/api/panels");
        foreach (var p in new[] { "stylegan", "inversion" })
        {
            var panel = panels.EnumerateArray().Single(x => x.GetProperty("id").GetString() == p);
            Assert.False(panel.GetProperty("available").GetBoolean());
            Assert.Contains("atelier stylegan train", panel.GetProperty("needs").GetString());
            Assert.Contains("rosinality", panel.GetProperty("needs").GetString());
        }
        var (status, _) = await s.PostFormAsync("/api/jobs/stylegan.generate", f => f.Add(new StringContent("x"), "model"));
        Assert.Equal(409, status);
    }

    static double Psnr(Image a, Image b)
    {
        double mse = a.Data.Zip(b.Data, (x, y) => (double)(x - y) * (x - y)).Average();
        return Inversion.Psnr(mse);
    }

    static Task<(Image Image, JsonElement Snapshot)> RunAsync(StudioHarness s, string method, Action<MultipartFormDataContent> fill) =>
        s.RunJobAsync(method, fill);
}
