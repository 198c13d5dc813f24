namespace Atelier.Studio.Methods;

/// <summary>Every library method this build of the studio offers, in page order: the registry's.</summary>
public static class MethodSet
{
    public static IReadOnlyList<StudioMethod> All() =>
    [
        // The registered library methods (Atelier.Methods.MethodRegistry), forms drawn from their parameters.
        .. Atelier.Methods.MethodRegistry.All.Select(m => new RegisteredMethod(m)),
    ];

}
