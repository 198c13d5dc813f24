namespace Atelier.Studio.Demo;

/// <summary>The demo's steps, one per method this build offers, in gallery order.</summary>
static class DemoSteps
{
    public static IReadOnlyList<DemoGallery.Step> All() =>
    [
        new("Built-in texture samples", Samples),
    ];

    /// <summary>The procedural samples every other step starts from.</summary>
    static DemoSection Samples(DemoContext ctx) => new(
        "Built-in texture samples",
        "Drawn by code (no files needed): the inputs of the texture steps below.",
        ProceduralSamples.Names.Select(n => new DemoPicture($"sample-{n}.png", n, ProceduralSamples.Make(n, 64, ctx.Seed))).ToList());
}
