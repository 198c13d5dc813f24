using Atelier.Inference;
using Atelier.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Inference;

/// <summary>Run alone: the resident-memory measurement must not see other tests' allocations and frees (or GC regions) meanwhile.</summary>
[Collection("ResidentMemorySerial")]
public class NativeAllocatorTests
{
    [Fact]
    public void BudgetScopesNestAndRestoreTheReusePolicy()
    {
        NativeAllocator.ReuseFreedMemory(); // the test assembly's policy, as the CLI's
        Assert.True(NativeAllocator.ReusingFreedMemory);
        var outer = NativeAllocator.EnterBudget();
        var inner = NativeAllocator.EnterBudget();
        Assert.False(NativeAllocator.ReusingFreedMemory);
        outer.Dispose();
        Assert.False(NativeAllocator.ReusingFreedMemory); // the inner one still holds
        outer.Dispose(); // twice is once
        Assert.False(NativeAllocator.ReusingFreedMemory);
        inner.Dispose();
        Assert.True(NativeAllocator.ReusingFreedMemory);
    }

    [Fact]
    public void ReuseKeepsAFreedTensorsPagesAndEnteringABudgetGivesThemBack()
    {
        if (!OperatingSystem.IsLinux()) return; // glibc's malloc only; elsewhere the policies change nothing
        const long bytes = 40L << 20; // under 64 MB: on a worker thread glibc maps larger blocks whatever the policy
        NativeAllocator.ReuseFreedMemory();
        using (var warm = ones(16)) Assert.Equal(16, warm.numel()); // libtorch loaded before the baseline
        // Earlier tests' undisposed tensors are freed now, not during the measurement, and their free memory goes back,
        // so the block below comes to fresh pages.
        // The resident set also moves when the managed heap gives memory back (other tests' no-GC regions commit and
        // later release 64 MB), so the measurement is tried up to three times: one clean window shows the pages kept.
        // Both halves are measured in the same try (keeping, then giving back), so a window disturbed by another
        // thread's allocation is tried again as a whole.
        long kept = 0, trimmed = long.MaxValue;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            NativeAllocator.Trim();
            long before = Resident();
            using (var t = ones(bytes / 4)) Assert.Equal(bytes / 4, t.numel()); // ones() writes, so every page is touched
            kept = Resident() - before;
            if (kept <= bytes / 2) { NativeAllocator.Trim(); continue; } // start the next try from fresh pages again
            using (NativeAllocator.EnterBudget()) trimmed = Resident() - before;
            if (trimmed < bytes / 4) break;
        }
        // Freed, its pages stay in the process for the next tensor (a fresh mapping would fault every page in again).
        Assert.True(kept > bytes / 2, $"after freeing a {bytes >> 20} MB tensor under reuse, resident memory rose by {kept >> 20} MB");
        Assert.True(trimmed < bytes / 4, $"entering a budget should give the freed {bytes >> 20} MB back; still {trimmed >> 20} MB above");
        // What a budget cannot do: a block that fits a chunk already free in the heap reuses it (resident again) and
        // stays resident when freed; only blocks that need new memory become mappings of their own. That depends on
        // what earlier tests left in the heap, so it is not asserted here.
    }

    // The resident set (VmRSS), read afresh on each call, as the studio's load test reads it.
    static long Resident() => Environment.WorkingSet;
}

[CollectionDefinition("ResidentMemorySerial", DisableParallelization = true)]
public class ResidentMemorySerial { }
