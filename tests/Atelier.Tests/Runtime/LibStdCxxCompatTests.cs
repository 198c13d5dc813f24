using Atelier.Runtime;
using Xunit;

namespace Atelier.Tests.Runtime;

public class LibStdCxxCompatTests
{
    static string ShippedLibrary()
    {
        var home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", LibStdCxxCompat.LibraryName);
    }

    [SkippableFact]
    public void PatchMarksOnlyTheOneRequirementWeakAndIsIdempotent()
    {
        var shipped = ShippedLibrary();
        Skip.IfNot(File.Exists(shipped), "TorchSharp package not in the NuGet cache at " + shipped);
        var original = File.ReadAllBytes(shipped);
        Assert.False(LibStdCxxCompat.IsRequirementWeak(original)); // the package itself must never be patched

        using var tmp = TestPaths.NewTempDir();
        var copy = tmp.File(LibStdCxxCompat.LibraryName);
        File.WriteAllBytes(copy, original);
        Assert.Contains("marked", LibStdCxxCompat.PatchFile(copy));
        var patched = File.ReadAllBytes(copy);
        Assert.True(LibStdCxxCompat.IsRequirementWeak(patched));
        var diff = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Single(diff); // one byte: the vna_flags of that Vernaux entry
        Assert.Contains("nothing to do", LibStdCxxCompat.PatchFile(copy));
        Assert.Equal(patched, File.ReadAllBytes(copy));
    }

    [Fact]
    public void NonElfInputIsRejected()
    {
        Assert.Throws<InvalidDataException>(() => LibStdCxxCompat.FindVernauxFlagsOffset(new byte[128]));
    }
}
