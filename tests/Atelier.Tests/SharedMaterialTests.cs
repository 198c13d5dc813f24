using Xunit;

namespace Atelier.Tests;

/// <summary>
/// The parity tests skip when ../shared is absent, as on a user's fresh clone. CI always has it: there (the CI
/// environment variable set) its absence fails the run, so parity can never silently stop being checked.
/// </summary>
public class SharedMaterialTests
{
    [Fact]
    public void InCiTheReferenceMaterialIsPresent()
    {
        var ci = Environment.GetEnvironmentVariable("CI");
        if (string.IsNullOrEmpty(ci) || ci.Equals("false", StringComparison.OrdinalIgnoreCase)) return;
        Assert.True(TestPaths.Shared is not null, $"CI={ci} but ../shared is absent beside {TestPaths.RepoRoot}: the parity tests would skip. " + TestPaths.SharedMissing);
        Assert.True(Directory.Exists(Path.Combine(TestPaths.Shared!, "parity")), $"{TestPaths.Shared} has no parity/ folder");
    }
}
