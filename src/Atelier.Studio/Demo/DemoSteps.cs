namespace Atelier.Studio.Demo;

/// <summary>The demo's steps, one per method this build offers, in gallery order.</summary>
static class DemoSteps
{
    /// <summary>
    /// Every registered method's examples: texture synthesis, hole filling and transfer, Gatys, the shipped fast-style
    /// networks and AdaIN decoder on the shipped photos and paintings, and the shipped StyleGAN2 glyph generator with
    /// its inversions and edits on glyphs of typefaces it never saw.
    /// </summary>
    public static IReadOnlyList<DemoGallery.Step> All() => [.. RegisteredDemoSteps.For(Atelier.Methods.MethodRegistry.All)];
}
