using System.Runtime.InteropServices;

namespace Atelier.Inference;

/// <summary>
/// Keeps the resident memory of a budgeted run (tiled or not) near what its passes need. Why: glibc's malloc raises its
/// mmap threshold each time a large block is freed (up to 32 MB), after which feature maps below that size come from
/// the heap arenas and stay resident when freed; measured, an untiled 1024x1024 resnet_9blocks (ngf 16) pass peaked
/// 359 MB above the warmed-up network with the dynamic threshold and 230 MB with it fixed (docs/any-size.md). Fixing the
/// threshold (which turns the dynamic adjustment off) makes every block above it an mmap that goes back to the system
/// when freed. Linux/glibc only; elsewhere, or if the call is unavailable, nothing.
/// </summary>
public static partial class NativeAllocator
{
    const int M_MMAP_THRESHOLD = -3;
    static int _done;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int param, int value);

    /// <summary>Sets a fixed 1 MB mmap threshold once per process (idempotent, thread-safe).</summary>
    public static void ReturnLargeBlocksToTheSystem()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _done, 1) == 1) return;
        try { MallOpt(M_MMAP_THRESHOLD, 1 << 20); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }
}
