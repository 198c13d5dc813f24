namespace Atelier.Tests;

/// <summary>Where tests find the repository and the optional ../shared material.</summary>
public static class TestPaths
{
    /// <summary>The folder holding Atelier.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// ../shared beside the checkout (or $ATELIER_SHARED), or null when absent: tests that need it skip,
    /// saying why, because a user's fresh clone has no ../shared.
    /// </summary>
    public static string? Shared
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ATELIER_SHARED");
            if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
            var path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(path) ? path : null;
        }
    }

    public const string SharedMissing = "../shared is absent (it holds the reference parity files); set ATELIER_SHARED to its path to run this test";

    /// <summary>../shared/parity/NAME, or null when ../shared is absent.</summary>
    public static string? Parity(string name) => Shared is { } s ? Path.Combine(s, "parity", name) : null;

    /// <summary>The test project's fixtures folder (copied beside the test assembly).</summary>
    public static string Fixture(params string[] parts) =>
        Path.Combine(new[] { AppContext.BaseDirectory, "fixtures" }.Concat(parts).ToArray());

    /// <summary>A fresh temporary folder, deleted when disposed.</summary>
    public static TempDir NewTempDir() => new();

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atelier.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find Atelier.sln above " + AppContext.BaseDirectory);
    }
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "atelier-test-" + Guid.NewGuid().ToString("N")[..12]);
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
