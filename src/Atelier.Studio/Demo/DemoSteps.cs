using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Networks;
using Atelier.StyleGan;
using static TorchSharp.torch;

namespace Atelier.Studio.Demo;

/// <summary>The demo's steps, one per method this build offers, in gallery order. Sizes are small on purpose.</summary>
static class DemoSteps
{
    public static IReadOnlyList<DemoGallery.Step> All() =>
    [
        // The registered methods' examples first (texture synthesis, hole filling, texture transfer, Gatys, the
        // shipped fast-style networks on the shipped photos).
        .. RegisteredDemoSteps.For(Atelier.Methods.MethodRegistry.All),
        // Hand-written while no StyleGAN generator ships (#16): a seeded random-weight generator is demo material only,
        // not a model the registry's examples may name. A shipped generator's examples will replace it.
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
}
