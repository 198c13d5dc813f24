using System.Runtime;
using System.Runtime.InteropServices;

namespace Atelier.Runtime;

/// <summary>
/// Keeps TorchSharp 0.107's temporary Scalars alive through the native calls that read them. Why: a double argument
/// (<c>x * 255.0</c>, <c>clamp(0, 255)</c>, Adam's betas) becomes a native Scalar that no dispose scope tracks; its handle
/// goes to libtorch and the managed object is unreachable at once, so a garbage collection started meanwhile (by any
/// thread's allocations) can finalize it while libtorch reads it: "Expected false to be true" from c10::Scalar. It
/// stopped a StyleGAN run after 1,500 steps and a fast-style run after 921. With no collection there are no new
/// finalizations, so work run here holds a no-GC region (shared by concurrent callers, ended by the last).
/// Scalars finalized before the region belonged to calls already finished.
/// </summary>
public static class ScalarSafety
{
    /// <summary>Managed allocation allowed inside the region; a step allocating more just runs unprotected from there.</summary>
    public const long BudgetBytes = 64L * 1024 * 1024;

    static readonly Lock Gate = new();
    static int _depth;
    static bool _ours;

    /// <summary>Runs <paramref name="work"/> with garbage collection held off (see the class summary).</summary>
    public static T Run<T>(Func<T> work)
    {
        Enter();
        try { return work(); }
        finally { Exit(); }
    }

    static void Enter()
    {
        lock (Gate)
        {
            _depth++;
            // (Re)open the region when none is open: also when an outer caller's region lapsed on its budget, so a
            // long command (its whole run inside one call) still protects each training step it makes.
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return;
            try { _ours = GC.TryStartNoGCRegion(BudgetBytes) || _ours; }
            catch (InvalidOperationException) { } // a region of someone else's is open
            catch (ArgumentOutOfRangeException) { } // the budget is more than this GC mode allows
        }
    }

    static void Exit()
    {
        lock (Gate)
        {
            if (--_depth > 0 || !_ours) return;
            _ours = false;
            // The region ends by itself when the budget is spent; ending it then would throw.
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
                try { GC.EndNoGCRegion(); } catch (InvalidOperationException) { }
        }
    }

    /// <summary>
    /// True for the native errors a freed Scalar gives (c10/core/Scalar.h's checks on its type tag: "Expected false to be
    /// true" from a conversion, "Unknown scalar type." from Scalar::type(), both seen in long training runs), not for
    /// real failures.
    /// </summary>
    public static bool IsFreedScalarFault(Exception e) =>
        e is ExternalException && e.Message.Contains("Scalar.h", StringComparison.Ordinal)
        && (e.Message.Contains("Expected false to be true", StringComparison.Ordinal) || e.Message.Contains("Unknown scalar type", StringComparison.Ordinal));
}
