using Atelier.Studio.Methods;
using Xunit;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Studio.Tests.Methods;

/// <summary>What a studio job borrows through the registry's resources: StyleGAN generators from the pool, other models per job.</summary>
public class StudioResourcesTests
{
    sealed class Loaded : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void Generators_are_rented_from_the_pool_one_job_at_a_time_and_returned_at_the_end()
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("tiny.safetensors");
        StyleGanMethodTests.SaveTinyGenerator(path).Dispose();
        Generator NotHere(string _) => throw new InvalidOperationException("a generator is the pool's to load");

        Generator first;
        using (var job = new StudioResources())
        {
            first = job.Model<Generator>(path, NotHere);
            Assert.Equal(16, first.Size);
            // A second job at the same time gets its own generator, never the one lent.
            using var other = new StudioResources();
            Assert.NotSame(first, other.Model<Generator>(path, NotHere));
        }
        // Returned, not disposed: the next job gets the same loaded generator, and it still runs.
        using (var next = new StudioResources())
        {
            var again = next.Model<Generator>(path, NotHere);
            Assert.Same(first, again);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Assert.Equal(new long[] { 1, first.StyleDim }, again.SeedW(1).shape);
        }
    }

    [Fact]
    public void Other_models_are_loaded_for_the_job_and_disposed_with_it()
    {
        Loaded model;
        using (var job = new StudioResources())
        {
            model = job.Model("any.file", _ => new Loaded());
            Assert.False(model.Disposed);
        }
        Assert.True(model.Disposed);
    }
}
