namespace Atelier.Tests.Models;

static class TestCacheHome
{
    /// <summary>
    /// The tests' model cache (fetched models, mean-w caches) is a folder of their own, not the user's ~/.cache/atelier:
    /// set once, before any test, unless the caller chose one.
    /// </summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Apply()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Atelier.Models.ModelCache.HomeVariable)))
            Environment.SetEnvironmentVariable(Atelier.Models.ModelCache.HomeVariable, Path.Combine(Path.GetTempPath(), "atelier-tests-cache"));
        Environment.SetEnvironmentVariable(Atelier.Models.FetchOptions.MirrorVariable, null);
        Environment.SetEnvironmentVariable(Atelier.Models.FetchOptions.OfflineVariable, null);
    }
}
