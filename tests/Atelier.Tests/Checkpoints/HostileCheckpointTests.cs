using Atelier.Checkpoints;
using Xunit;

namespace Atelier.Tests.Checkpoints;

/// <summary>Malicious and broken files are refused with one clear line, without running or allocating anything.</summary>
public class HostileCheckpointTests
{
    const string Marker = "/tmp/atelier_checkpoint_pwned_marker"; // what the hostile pickles try to create

    static AtelierException Refused(string name)
    {
        var path = TestPaths.Fixture("checkpoints", name);
        var e = Assert.Throws<AtelierException>(() => { using var _ = Checkpoint.Load(path); });
        Assert.Contains(name, e.Message);
        Assert.DoesNotContain('\n', e.Message);
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
