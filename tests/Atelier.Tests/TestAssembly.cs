using Xunit;

// Tests run one at a time. libtorch has one global random generator: tests that seed it
// (manual_seed) and then build nets or draw inputs get a different stream whenever another
// test draws from it at the same moment, which made thresholded results (an inversion's PSNR)
// depend on scheduling. Serial runs make every seeded test reproducible on any machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Atelier.Tests
{
    static class AllocatorPolicy
    {
        /// <summary>The tests run under the allocator policy the CLI and studio use (freed native memory is reused).</summary>
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void Apply() => Atelier.Runtime.NativeAllocator.ConfigureFromEnvironment();
    }
}
