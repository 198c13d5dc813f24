using System.Runtime;
using System.Runtime.InteropServices;
using Atelier.Imaging;
using Atelier.Runtime;
using Atelier.Training;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Training;

/// <summary>
/// TorchSharp 0.107's freed-Scalar fault: steps run with collections held off, and a run that still meets the fault
/// goes back to its checkpoint and ends exactly where an undisturbed run ends, with each step logged once.
/// </summary>
[Collection("ScalarSafetySerial")] // alone: CLI runs in parallel tests hold no-GC regions of their own
public class TrainingLoopRecoveryTests
{
    /// <summary>A trainable whose state is a number that each step moves deterministically; it can fail once, at a chosen step.</summary>
    sealed class Counter(long failAt) : ITrainable
    {
        double _value = 1;
        bool _failed;
        public string Kind => "test-counter";
        public IReadOnlyDictionary<string, double> TrainStep(long step)
        {
            if (step == failAt && !_failed)
            {
                _failed = true;
                _value = double.NaN; // a half-done step: the state it leaves must not survive
                throw new ExternalException("Expected false to be true, but got false. Exception raised from toDouble at /pytorch/c10/core/Scalar.h:140");
            }
            _value = _value * 0.9 + step;
            return new Dictionary<string, double> { ["value"] = _value };
        }
        public void SetLearningRateFactor(double factor) { }
        public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata) =>
            metadata["value"] = _value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
            _value = double.Parse(metadata["value"], System.Globalization.CultureInfo.InvariantCulture);
        public (IReadOnlyList<(Image Image, string? Caption)> Cells, int Columns) Samples() => ([(new Image(4, 4, 3), null)], 1);
        public void Dispose() { }
    }

    [Fact]
    public void AFreedScalarFaultResumesFromTheCheckpointAndEndsAsAnUndisturbedRun()
    {
        using var dir = TestPaths.NewTempDir();
        var warnings = new List<string>();
        using var faulty = new Counter(failAt: 7);
        var r = TrainingLoop.Run(faulty, new TrainingLoopOptions(dir.File("faulty"), 12, SampleEvery: 100, CheckpointEvery: 5), false, warn: warnings.Add);
        using var clean = new Counter(failAt: -1);
        var c = TrainingLoop.Run(clean, new TrainingLoopOptions(dir.File("clean"), 12, SampleEvery: 100, CheckpointEvery: 5), false);

        Assert.Equal(12, r.Step);
        Assert.Equal(c.LastLosses["value"], r.LastLosses["value"]);
        var warning = Assert.Single(warnings);
        Assert.Contains("step 8", warning);
        Assert.Contains("checkpoint at step 5", warning);
        // Each step once in the log, in order.
        var steps = File.ReadLines(Path.Combine(dir.File("faulty"), "losses.csv")).Skip(1).Select(l => long.Parse(l.Split(',')[0])).ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), steps);
    }

    [Fact]
    public void AFaultBeforeAnyCheckpointOrOfAnotherKindIsNotHidden()
    {
        using var dir = TestPaths.NewTempDir();
        using var early = new Counter(failAt: 2);
        Assert.Throws<ExternalException>(() => TrainingLoop.Run(early, new TrainingLoopOptions(dir.File("early"), 12, SampleEvery: 100, CheckpointEvery: 5), false));
        Assert.False(ScalarSafety.IsFreedScalarFault(new ExternalException("Given input size: (64x1x1). Calculated output size: (64x0x0)")));
        Assert.False(ScalarSafety.IsFreedScalarFault(new InvalidOperationException("Expected false to be true at c10/core/Scalar.h")));
        // Both forms a freed Scalar has taken in long runs are recognised (the second killed a fast-style run at step 2651).
        Assert.True(ScalarSafety.IsFreedScalarFault(new ExternalException("Expected false to be true, but got false. Exception raised from toDouble at /pytorch/c10/core/Scalar.h:140")));
        Assert.True(ScalarSafety.IsFreedScalarFault(new ExternalException("Unknown scalar type.\nException raised from type at /pytorch/c10/core/Scalar.h:339 (most recent call first):")));
        Assert.False(ScalarSafety.IsFreedScalarFault(new ExternalException("Unknown scalar type in a message from elsewhere")));
    }

    [Fact]
    public void WorkRunsWithCollectionsHeldOffAndTheRegionEndsAfter()
    {
        var inside = ScalarSafety.Run(() => GCSettings.LatencyMode);
        Assert.Equal(GCLatencyMode.NoGCRegion, inside);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        // Nested and concurrent callers share one region, ended by the last.
        var modes = new GCLatencyMode[2];
        Parallel.For(0, 2, i => modes[i] = ScalarSafety.Run(() => ScalarSafety.Run(() => { Thread.Sleep(50); return GCSettings.LatencyMode; })));
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        Assert.Contains(GCLatencyMode.NoGCRegion, modes);
    }
}

[CollectionDefinition("ScalarSafetySerial", DisableParallelization = true)]
public class ScalarSafetySerial { }
