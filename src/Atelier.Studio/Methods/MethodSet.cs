namespace Atelier.Studio.Methods;

/// <summary>Every library method this build of the studio offers, in page order (the registry's first, then those not yet registered).</summary>
public static class MethodSet
{
    public static IReadOnlyList<StudioMethod> All() =>
    [
        // The registered library methods (Atelier.Methods.MethodRegistry), forms drawn from their parameters.
        .. Atelier.Methods.MethodRegistry.All.Select(m => new RegisteredMethod(m)),
        new GatysStyleMethod(),
        new GatysTextureMethod(),
        new AdaInMethod(),
        new FastStyleMethod(),
        new StyleGanMorphMethod(),
    ];

    /// <summary>Earlier API ids of methods now registered under area.verb: requests to them still reach the method.</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["translate.pix2pix"] = "pix2pix.translate",
        ["translate.cyclegan"] = "cyclegan.translate",
        ["stylegan.seeds"] = "stylegan.generate",
    };
}
