using System.Runtime.InteropServices;

namespace Atelier.Inference;

/// <summary>
/// Keeps the resident memory of tiled runs near what the tiles need. Why: glibc's malloc raises its mmap threshold
/// each time a large block is freed (up to 32 MB), after which tile-sized activations (a 428x428x32 float tensor is
/// 23 MB) come from the heap arenas and are not returned; measured, a tiled 2048x2048 stylisation reached twice its
/// budget that way. Fixing the threshold (which turns the dynamic adjustment off) makes every block above it an
/// mmap that goes back to the system when freed. Linux/glibc only; elsewhere, or if the call is unavailable, nothing.
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
