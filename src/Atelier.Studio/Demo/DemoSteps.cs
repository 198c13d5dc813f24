using Atelier.Imaging;
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
    ];

    static DemoSection Quilt(DemoContext ctx)
    {
        var pictures = new List<DemoPicture>();
        foreach (var name in new[] { "bricks", "weave" })
        {
            var sample = ProceduralSamples.Make(name, 64, ctx.Seed);
            var quilt = Quilting.Synthesize(sample, 192, 192, new QuiltingOptions(), ctx.Seed, ctx.Progress, ctx.CancellationToken);
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
        var grown = EfrosLeung.Synthesize(sample, 64, 64, new EfrosLeungOptions { Window = 9 }, ctx.Seed, ctx.Progress, ctx.CancellationToken);
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
