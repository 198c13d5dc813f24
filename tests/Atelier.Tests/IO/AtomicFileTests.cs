using Atelier.IO;
using Xunit;

namespace Atelier.Tests.IO;

public class AtomicFileTests
{
    /// <summary>A temporary of a killed writer goes; a live writer's, and every other file, stay.</summary>
    [Fact]
    public void StaleTemporariesOfDeadProcessesAreRemoved()
    {
        using var dir = TestPaths.NewTempDir();
        var guid = Guid.NewGuid().ToString("N");
        // pid 0 is never a process of ours: its writer is gone.
        var stale = dir.File($".checkpoint.safetensors.0.{guid}.tmp");
        var live = dir.File($".losses.csv.{Environment.ProcessId}.{guid}.tmp");
        var checkpoint = dir.File("checkpoint.safetensors");
        var odd = dir.File(".notes.tmp");
        foreach (var f in new[] { stale, live, checkpoint, odd }) File.WriteAllText(f, "x");

        Assert.Equal(1, AtomicFile.RemoveStaleTemporaries(dir.Path));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live) && File.Exists(checkpoint) && File.Exists(odd));
        Assert.Equal(0, AtomicFile.RemoveStaleTemporaries(dir.File("no-such-folder")));
    }

    [Fact]
    public void WriteReplacesTheFileWholeAndLeavesNoTemporary()
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("a.txt");
        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, _ => throw new InvalidOperationException("fails mid-write")));
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
