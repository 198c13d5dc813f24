using System.Runtime.InteropServices;

namespace Atelier.Runtime;

/// <summary>
/// How glibc's malloc, which libtorch's CPU tensors come from, hands out and takes back large blocks. Two policies,
/// because speed and a tight memory budget pull opposite ways:
/// <list type="bullet">
/// <item><see cref="ReuseFreedMemory"/> (the CLI, studio, benchmarks and tests): freed blocks stay in the process and
/// the next tensor of similar size reuses them. Why: by default every block above glibc's mmap threshold (at most
/// 32 MB) is a fresh mapping whose pages fault in one by one on first touch, and on this kind of machine a fault costs
/// about 10 µs: filling a new 32 MB tensor took 94 ms, an already-mapped one 0.4 ms. A 512x512 fast-style pass spent
/// four fifths of its time there (2.0 s → 0.41 s with reuse; docs/performance.md).</item>
/// <item><see cref="EnterBudget"/> (runs under an explicit memory budget): a fixed 1 MB threshold, so every feature map
/// above it is a mapping that goes back to the system when freed and the resident set tracks what a pass needs;
/// measured, an untiled 1024x1024 resnet_9blocks (ngf 16) pass peaked 359 MB above the warmed-up network with the
/// dynamic threshold and 230 MB with it fixed (docs/any-size.md).</item>
/// </list>
/// Linux/glibc only; elsewhere, or if the calls are unavailable, nothing changes. One limit: on threads other than the
/// main one glibc still maps blocks over 64 MB (the most its per-thread heaps hold), whatever the policy.
/// </summary>
public static partial class NativeAllocator
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, M_MMAP_MAX = -4;
    const int DefaultMmapMax = 65536; // glibc's own default

    static readonly Lock Gate = new();
    static bool _reuse;
    static int _budgets;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int param, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    /// <summary>True while freed blocks are kept for reuse (set by <see cref="ReuseFreedMemory"/>, off inside a budget).</summary>
    public static bool ReusingFreedMemory
    {
        get { lock (Gate) return _reuse && _budgets == 0; }
    }

    /// <summary>
    /// Keeps freed memory in the process for reuse: no block is its own mapping, and the heap is never trimmed
    /// automatically. The resident set then stays at the largest working set the process has needed (flat over a
    /// loop); <see cref="Trim"/> gives the free part back. Idempotent; a budget entered with <see cref="EnterBudget"/>
    /// takes precedence while it lasts.
    /// </summary>
    public static void ReuseFreedMemory()
    {
        lock (Gate)
        {
            _reuse = true;
            if (_budgets == 0) Apply();
        }
    }

    /// <summary>The environment variable a front end reads: <c>default</c> leaves glibc's own policy, anything else reuses.</summary>
    public const string EnvironmentVariable = "ATELIER_MALLOC";

    /// <summary>
    /// What the CLI, studio and benchmarks call at start: <see cref="ReuseFreedMemory"/> unless
    /// <c>ATELIER_MALLOC=default</c>. Returns the policy chosen, "reuse" or "default".
    /// </summary>
    public static string ConfigureFromEnvironment()
    {
        if (string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable), "default", StringComparison.OrdinalIgnoreCase))
            return "default";
        ReuseFreedMemory();
        return "reuse";
    }

    /// <summary>
    /// Switches to the budget policy until the returned scope is disposed, and gives retained free memory back at once.
    /// Scopes nest and may overlap across threads; the policy in force before the first returns with the last. A block
    /// that fits a chunk already free in the heap still reuses it, and that chunk stays resident when freed: only
    /// blocks that need new memory become mappings of their own.
    /// </summary>
    public static IDisposable EnterBudget()
    {
        lock (Gate)
        {
            if (_budgets++ == 0) { Apply(); Trim(); }
        }
        return new BudgetScope();
    }

    /// <summary>Returns free heap memory to the system (glibc malloc_trim); the next large tensors fault their pages in again.</summary>
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { MallocTrim(0); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    sealed class BudgetScope : IDisposable
    {
        int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            lock (Gate)
            {
                if (--_budgets == 0) Apply();
            }
        }
    }

    /// <summary>Sets the options for the policy now in force (caller holds the gate).</summary>
    static void Apply()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (_budgets > 0)
            {
                MallOpt(M_MMAP_MAX, DefaultMmapMax);
                MallOpt(M_MMAP_THRESHOLD, 1 << 20);
                MallOpt(M_TRIM_THRESHOLD, 128 << 10);
            }
            else if (_reuse)
            {
                // Blocks larger than the heap can grow to still get memory: glibc falls back to a mapping when the
                // heap cannot be extended, whatever M_MMAP_MAX says.
                MallOpt(M_MMAP_MAX, 0);
                MallOpt(M_TRIM_THRESHOLD, int.MaxValue);
            }
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }
}
