using Atelier.Checkpoints;
using Xunit;

namespace Atelier.Tests.Checkpoints;

/// <summary>Malicious and broken files are refused with one clear line, without running or allocating anything.</summary>
public class HostileCheckpointTests
{
    const string Marker = "/tmp/atelier_checkpoint_pwned_marker"; // what the hostile pickles try to create

    /// <summary>Loading refuses the file, and so does reading its headers alone (for the same reason: the check is not in the data).</summary>
    static AtelierException Refused(string name)
    {
        var path = TestPaths.Fixture("checkpoints", name);
        var e = Assert.Throws<AtelierException>(() => { using var _ = Checkpoint.Load(path); });
        Assert.Contains(name, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        var headers = Assert.Throws<AtelierException>(() => Checkpoint.ReadHeaders(path));
        Assert.Equal(e.Message, headers.Message);
        return e;
    }

    [Theory]
    [InlineData("evil_os_system.pth", "posix.system")]
    [InlineData("evil_eval.pth", "builtins.eval")]
    [InlineData("evil_legacy.pth", "posix.system")]
    public void PicklesReachingForCodeAreRefusedAndNothingRuns(string file, string global)
    {
        File.Delete(Marker);
        var e = Refused(file);
        Assert.True(e.Message.Contains($"refused global '{global}'"), e.Message);
        Assert.False(File.Exists(Marker), "the hostile pickle ran");
    }

    [Theory]
    [InlineData("bomb_marks.pth", "nested MARKs")]
    [InlineData("bomb_nested_lists.pth", "nested more than")]
    [InlineData("bomb_laughs.pth", "shared-reference bomb")]
    [InlineData("huge_storage.pth", "declares 1099511627776 elements")]
    [InlineData("view_out_of_bounds.pth", "reaches element 4 of a 4-element storage")]
    [InlineData("truncated.pth", "truncated")]
    [InlineData("zip_slip.pth", "unsafe name 'archive/../../evil.txt'")]
    [InlineData("not_a_checkpoint.bin", "not a checkpoint Atelier recognises")]
    public void BrokenOrHostileFilesAreRefusedWithAReason(string file, string reason)
    {
        var before = GC.GetTotalMemory(false);
        var e = Refused(file);
        Assert.True(e.Message.Contains(reason), e.Message);
        Assert.True(GC.GetTotalMemory(false) - before < 512L << 20, "refusing allocated a lot of memory");
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        var e = Assert.Throws<AtelierException>(() => Checkpoint.Load("/nonexistent/x.pth"));
        Assert.Contains("no such file", e.Message);
    }
}

public class DamagedLegacyCheckpointTests
{
    [Theory]
    [InlineData(0.5, "truncated")]
    [InlineData(0.97, "truncated")]
    public void TruncatedLegacyFilesAreRefused(double keep, string reason)
    {
        using var dir = TestPaths.NewTempDir();
        var bytes = File.ReadAllBytes(TestPaths.Fixture("checkpoints", "legacy.pth"));
        var path = dir.File("cut.pth");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
        var e = Assert.Throws<AtelierException>(() => { using var _ = Checkpoint.Load(path); });
        Assert.True(e.Message.Contains(reason) && e.Message.Contains(path), e.Message);
    }

    [Fact]
    public void LegacyStorageCountThatLiesIsRefusedBeforeAllocating()
    {
        // Find the first storage's 8-byte element count (right after the key-list pickle) and inflate it.
        using var dir = TestPaths.NewTempDir();
        var bytes = File.ReadAllBytes(TestPaths.Fixture("checkpoints", "legacy.pth"));
        using var ok = Checkpoint.Load(TestPaths.Fixture("checkpoints", "legacy.pth"));
        int at = FindStorageCount(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(at, 8), 1L << 40);
        var path = dir.File("lying.pth");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<AtelierException>(() => { using var _ = Checkpoint.Load(path); });
        Assert.True(e.Message.Contains("holds 1099511627776 elements but the pickle declared"), e.Message);
    }

    static int FindStorageCount(byte[] b)
    {
        // The key list is the fifth pickle: its STOP ('.') is followed by the first count. Walk the pickles.
        var s = new MemoryStream(b);
        for (int i = 0; i < 5; i++)
            new Atelier.Checkpoints.Pickle.Unpickler(s, new Atelier.Checkpoints.Pickle.RestrictedGlobals(_ => new Atelier.Checkpoints.StorageRef("k", TorchSharp.torch.ScalarType.Float32, 1 << 20, "cpu"))).Load();
        return (int)s.Position;
    }
}
