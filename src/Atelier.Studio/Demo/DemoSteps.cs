using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Style;
using Atelier.Texture;

namespace Atelier.Studio.Demo;

/// <summary>The demo's steps, one per method this build offers, in gallery order. Sizes are small on purpose.</summary>
static class DemoSteps
{
    public static IReadOnlyList<DemoGallery.Step> All() =>
    [
        new("Texture synthesis: image quilting", Quilt),
        new("Texture synthesis: Efros-Leung", Grow),
        new("Hole filling", Fill),
        new("Texture synthesis: Gatys (CNN)", GatysTextureStep),
    ];

    /// <summary>Gatys et al. 2015 on the built-in random-weight VGG-19, with frames of the optimisation.</summary>
    static DemoSection GatysTextureStep(DemoContext ctx)
    {
        int size = ctx.Quick ? 32 : 64, iterations = ctx.Quick ? 4 : 60;
        var sample = ProceduralSamples.Make("bricks", size, ctx.Seed);
        var frames = new List<DemoPicture>();
        var vgg = Vgg.BuiltIn(VggPooling.Average);
        var options = new GatysTextureOptions
        {
            Iterations = iterations, StyleLayers = ["relu1_1", "relu2_1", "relu3_1"], Seed = ctx.Seed,
            SaveEvery = Math.Max(1, iterations / 3),
            OnFrame = (step, image) => frames.Add(new DemoPicture($"gatys-texture-step{step}.png", $"after {step} steps", image)),
        };
        var result = GatysTexture.Synthesize(sample, size, size, vgg, options, ctx.Progress, ctx.CancellationToken);
        return new DemoSection("Texture synthesis: Gatys (CNN)",
            $"Noise optimised ({iterations} L-BFGS steps) until its Gram matrices on VGG-19 layers relu1_1..relu3_1 match the sample's. " +
            "This uses the built-in random-weight VGG-19 (nothing downloaded), which captures colours and short strokes only; trained weights " +
            "capture whole structures: atelier style texture SAMPLE.png --size 256x256 --vgg vgg19-dcbb9e9d.pth -o out.png (torchvision's VGG-19 file).",
            [new DemoPicture("gatys-texture-sample.png", "sample: bricks", sample), .. frames,
             new DemoPicture("gatys-texture.png", $"after {result.Steps} steps (style loss {result.Losses.GetValueOrDefault("style"):G3})", result.Image)]);
    }

    static DemoSection Quilt(DemoContext ctx)
    {
        var pictures = new List<DemoPicture>();
        foreach (var name in ctx.Quick ? new[] { "bricks" } : ["bricks", "weave"])
        {
            var sample = ProceduralSamples.Make(name, 64, ctx.Seed);
            int size = ctx.Quick ? 96 : 192;
            var quilt = Quilting.Synthesize(sample, size, size, new QuiltingOptions(), ctx.Seed, ctx.Progress, ctx.CancellationToken);
            pictures.Add(new DemoPicture($"quilting-{name}-sample.png", $"sample: {name}", sample));
            pictures.Add(new DemoPicture($"quilting-{name}.png", "quilted (Efros-Freeman 2001)", quilt));
        }
        return new DemoSection("Texture synthesis: image quilting",
            "Blocks of the sample laid with an overlap and joined along minimum-error cuts. Try your own: atelier texture synthesize SAMPLE.png --method quilting --size 512x512 -o out.png",
            pictures);
    }

    static DemoSection Grow(DemoContext ctx)
    {
        var sample = ProceduralSamples.Make("pebbles", 48, ctx.Seed);
        int size = ctx.Quick ? 32 : 64;
        var grown = EfrosLeung.Synthesize(sample, size, size, new EfrosLeungOptions { Window = 9 }, ctx.Seed, ctx.Progress, ctx.CancellationToken);
        return new DemoSection("Texture synthesis: Efros-Leung",
            "Pixel by pixel, each chosen among the sample's best-matching neighbourhoods (exact search, window 9). Larger windows keep larger structures; it is slow, so the demo stays small: atelier texture synthesize SAMPLE.png --method efros-leung --window 15 --size 128x128 -o out.png",
            [new DemoPicture("efros-leung-sample.png", "sample: pebbles", sample), new DemoPicture("efros-leung.png", "grown (Efros-Leung 1999)", grown)]);
    }

    static DemoSection Fill(DemoContext ctx)
    {
        var picture = ProceduralSamples.Make("bricks", 64, ctx.Seed + 1);
        var mask = new Image(64, 64, 1);
        for (int y = 22; y < 42; y++)
            for (int x = 20; x < 44; x++)
                if ((x - 32) * (x - 32) / 144.0 + (y - 32) * (y - 32) / 100.0 <= 1) mask[0, y, x] = 1f;
        var holed = picture.Clone();
        int n = picture.PlaneSize;
        for (int i = 0; i < n; i++)
            if (mask.Data[i] > 0.5f) { holed.Data[i] = 1f; holed.Data[n + i] = 0f; holed.Data[2 * n + i] = 1f; }
        var filled = HoleFilling.Fill(picture, mask, new EfrosLeungOptions { Window = 9 }, ctx.Seed, ctx.Progress, ctx.CancellationToken);
        return new DemoSection("Hole filling",
            "The magenta hole is grown in from its border with Efros-Leung's constrained synthesis; pixels outside it are kept exactly. In the studio, paint the hole with the brush. CLI: atelier texture fill IMAGE.png --mask MASK.png -o out.png",
            [new DemoPicture("fill-hole.png", "the hole", holed), new DemoPicture("fill-result.png", "filled", filled)]);
    }
}
