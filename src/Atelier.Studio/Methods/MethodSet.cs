namespace Atelier.Studio.Methods;

/// <summary>Every library method this build of the studio offers, in page order.</summary>
public static class MethodSet
{
    public static IReadOnlyList<StudioMethod> All() =>
    [
        new QuiltingMethod(),
        new EfrosLeungMethod(),
        new ScanlineMethod(),
        new HoleFillingMethod(),
        new GatysStyleMethod(),
        new GatysTextureMethod(),
        new AdaInMethod(),
        new FastStyleMethod(),
        new Pix2PixMethod(),
        new CycleGanMethod(),
        new StyleGanSeedsMethod(),
        new StyleGanMixMethod(),
        new StyleGanInvertMethod(),
        new StyleGanSuperResMethod(),
        new StyleGanInpaintMethod(),
        new StyleGanSketchMethod(),
        new StyleGanMorphMethod(),
        new StyleGanCrossoverMethod(),
    ];
}
