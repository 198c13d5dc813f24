using Xunit;

// Tests run one at a time, as in Atelier.Tests: studio jobs run libtorch on the shared global generator and the
// shared intra-op thread pool, so concurrent test classes changed results that tests threshold (measured: the
// StyleGAN inversion's reported-versus-PNG PSNR check failed in a parallel run of the method tests, passed alone).
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Atelier.Studio.Tests
{
    static class AllocatorPolicy
    {
        /// <summary>The tests run under the allocator policy the CLI and studio use (freed native memory is reused).</summary>
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void Apply() => Atelier.Runtime.NativeAllocator.ConfigureFromEnvironment();
    }
}
