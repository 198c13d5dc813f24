using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.StyleGan;
using static TorchSharp.torch;
using Atelier.Style;
using Atelier.Texture;

namespace Atelier.Studio.Demo;

/// <summary>The demo's steps, one per method this build offers, in gallery order. Sizes are small on purpose.</summary>
static class DemoSteps
{
    public static IReadOnlyList<DemoGallery.Step> All() =>
    [
        // The registered methods' examples first (texture synthesis, hole filling, texture transfer, Gatys).
        .. RegisteredDemoSteps.For(Atelier.Methods.MethodRegistry.All),
        new("Fast style transfer: the networks Atelier ships", FastStyleStep),
        new("StyleGAN2: seeds and style mixing (random weights)", StyleGanStep),
    ];

    /// <summary>
    /// The StyleGAN2 machinery (mapping, modulated convolutions, truncation, style mixing) on a small generator with
    /// seeded random weights, saved in the cache's models folder so `atelier studio` lists it too. Random weights
    /// make abstract colour fields, not faces: the section says so and how to get a trained generator.
    /// </summary>
    static DemoSection StyleGanStep(DemoContext ctx)
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(ctx.CacheDirectory, "models", "stylegan2-random-weights-32px.safetensors");
        Atelier.StyleGan.Generator g;
        if (File.Exists(path)) g = GeneratorLoader.Load(path);
        else
        {
            manual_seed(ctx.Seed);
            g = new Atelier.StyleGan.Generator(new GeneratorConfig(32, 32, NMlp: 2, ChannelMultiplier: 1, MaxChannels: 32));
            g.eval();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            SafeTensors.Save(path, g.state_dict().ToDictionary(kv => "g_ema." + kv.Key, kv => kv.Value));
        }
        using var generator = g;
        using var noGrad = no_grad();
        using var rng = new TorchSharp.torch.Generator(1);
        var wMean = g.MeanLatent(1024, rng);
        Tensor W(long seed, double psi) => g.SeedW(seed, wMean, psi);
        var seeds = Enumerable.Range(ctx.Seed, ctx.Quick ? 4 : 8).Select(s => (long)s).ToList();
        var cells = seeds.Select(s => (StyleMixing.ToImage(g.Synthesize(g.Broadcast(W(s, 1)))), (string?)$"seed {s}")).ToList();
        var truncated = seeds.Select(s => (StyleMixing.ToImage(g.Synthesize(g.Broadcast(W(s, 0.5)))), (string?)$"seed {s}, psi 0.5")).ToList();
        var rows = seeds.Take(3).ToList();
        var cols = seeds.Skip(1).Take(3).Select(s => s + 100).ToList();
        var grid = StyleMixing.Grid(g, rows.Select(s => W(s, 1)).ToList(), cols.Select(s => W(s, 1)).ToList(), (0, 3),
            rows.Select(s => $"seed {s}").ToList(), cols.Select(s => $"seed {s}").ToList(), w => g.Synthesize(w));
        ctx.Progress.Report(new Runtime.ProgressReport(1, 1, "stylegan"));
        return new DemoSection("StyleGAN2: seeds and style mixing (random weights)",
            "A 32 px StyleGAN2 generator with seeded RANDOM weights (not trained: it shows the mechanics, not faces): one z per seed, " +
            "the truncation trick pulling w toward the mean, and a style-mixing grid (the column seeds give latents 0-3, the coarse layers). " +
            "It is saved with the cache's models, so `atelier studio` offers it in its StyleGAN and inversion panels. For real pictures train one " +
            "(atelier data shapes -o shapes; atelier stylegan train --data shapes --size 32 -o run) or use a rosinality/stylegan2-pytorch checkpoint: " +
            "atelier stylegan generate -c stylegan2-ffhq-config-f.pt --seeds 1-8 --truncation 0.7 -o faces.png",
            [new DemoPicture("stylegan-seeds.png", "seeds (random weights)", ContactSheet.Create(cells, columns: cells.Count)),
             new DemoPicture("stylegan-truncated.png", "the same seeds at truncation 0.5", ContactSheet.Create(truncated, columns: truncated.Count)),
             new DemoPicture("stylegan-mixing.png", "style mixing: columns' coarse latents into the rows", ContactSheet.Create(grid, columns: cols.Count + 1))]);
    }

    /// <summary>Every shipped fast-style network (models/fast-style-*) on the shipped photos: one pass each, any size.</summary>
    static DemoSection FastStyleStep(DemoContext ctx)
    {
        var models = Atelier.Models.ShippedModels.All().Where(m => m.Name.StartsWith("fast-style-", StringComparison.Ordinal)).ToList();
        if (models.Count == 0)
            return new DemoSection("Fast style transfer: the networks Atelier ships", "", [],
                "No fast-style network ships with this build (models/fast-style-*); train one with docs/scripts/fast-style-model.sh candy.");
        int size = ctx.Quick ? 64 : 256;
        var pictures = new List<DemoPicture>();
        // Real photographs (photos/, held out from the models' training), at the gallery's size; the procedural samples
        // only when a build has none.
        var photos = ShippedPhotos.All();
        var samples = photos.Count > 0
            ? photos.Select(p => (p.Name, ImageResize.ResizeShorterSide(ImageOps.ToRgb(p.Load()), size))).ToArray()
            : [("pebbles", ProceduralSamples.Make("pebbles", size, ctx.Seed)), ("weave", ProceduralSamples.Make("weave", size, ctx.Seed))];
        foreach (var (name, image) in samples) pictures.Add(new DemoPicture($"fast-style-{name}.png", photos.Count > 0 ? $"photo: {name}" : $"built-in {name}", image));
        foreach (var m in models)
        {
            using var net = FastStyle.LoadModel(m.Path);
            var style = m.Name["fast-style-".Length..];
            var outputs = samples.Select(s => FastStyle.Stylize(net, [s.Item2])[0]).ToList(); // one at a time: the photos differ in shape
            for (int i = 0; i < samples.Length; i++)
                pictures.Add(new DemoPicture($"fast-style-{style}-{samples[i].Item1}.png", $"{style}, one pass", outputs[i]));
            ctx.Progress.Report(new Runtime.ProgressReport(pictures.Count, samples.Length * (models.Count + 1), "fast style"));
        }
        return new DemoSection("Fast style transfer: the networks Atelier ships",
            "Johnson et al.'s feed-forward networks, trained by Atelier on Debian's wallpapers with the built-in ResNet-18 (each model's card in models/ " +
            "gives its data, steps, wall time and held-out figures). One pass per picture, any size: " +
            $"atelier fast-style stylize photo.jpg --model {models[0].Name["fast-style-".Length..]} -o out.png",
            pictures);
    }
}
