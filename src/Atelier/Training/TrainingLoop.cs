using System.Diagnostics;
using System.Globalization;
using System.Text;
using Atelier.Imaging;
using Atelier.IO;
using Atelier.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training;

/// <summary>What a model must offer to be trained by <see cref="TrainingLoop"/>.</summary>
public interface ITrainable : IDisposable
{
    /// <summary>A name stored in the checkpoint so a run of another kind is not resumed by mistake.</summary>
    string Kind { get; }
    /// <summary>One optimisation step on a batch the trainable draws itself; returns the losses by name.</summary>
    IReadOnlyDictionary<string, double> TrainStep(long step);
    /// <summary>Scales every optimiser's base learning rate (the schedule's factor).</summary>
    void SetLearningRateFactor(double factor);
    /// <summary>Networks, optimisers, pools and random state.</summary>
    void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata);
    void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata);
    /// <summary>Cells for the sample grid (in reading order) and the grid's column count.</summary>
    (IReadOnlyList<(Image Image, string? Caption)> Cells, int Columns) Samples();
}

/// <summary>Where a run writes and how often.</summary>
public sealed record TrainingLoopOptions(string RunDirectory, long Steps, long DecaySteps = 0, int SampleEvery = 100, int CheckpointEvery = 500)
{
    /// <summary>A held-out folder laid out like the training data: the run's figures on it are logged every <see cref="EvalEvery"/> steps (the trainer must be <see cref="IHeldOutScoring"/>).</summary>
    public string? EvalDir { get; init; }
    /// <summary>Steps between held-out figures (and at the last step); null: every <see cref="SampleEvery"/> steps.</summary>
    public int? EvalEvery { get; init; }
    /// <summary>Held-out pictures used at most (a handful keeps each evaluation to seconds).</summary>
    public int EvalImages { get; init; } = 8;

    public string CheckpointPath => Path.Combine(RunDirectory, "checkpoint.safetensors");
    /// <summary>The run at its last checkpoint, for people and scripts: kind, step, steps, training seconds, last losses.</summary>
    public string RunInfoPath => Path.Combine(RunDirectory, "run.json");
    public string LossLogPath => Path.Combine(RunDirectory, "losses.csv");
    public string LossPlotPath => Path.Combine(RunDirectory, "losses.png");
    /// <summary>The held-out figures (step,metric,value), written when <see cref="EvalDir"/> is set.</summary>
    public string MetricLogPath => Path.Combine(RunDirectory, "metrics.csv");
    public string MetricPlotPath => Path.Combine(RunDirectory, "metrics.png");
    public string SamplesDirectory => Path.Combine(RunDirectory, "samples");
}

public sealed record TrainingResult(long Step, long Steps, bool Interrupted, string Checkpoint, IReadOnlyDictionary<string, double> LastLosses, double Seconds)
{
    /// <summary>The step this run started from: 0, or the checkpoint's step when resumed (Seconds covers Step - StartStep steps).</summary>
    public long StartStep { get; init; }

    /// <summary>Training seconds over the whole run, resumed parts included.</summary>
    public double TotalSeconds { get; init; }

    /// <summary>The run folder.</summary>
    public string RunDirectory => Path.GetDirectoryName(Checkpoint) ?? ".";

    /// <summary>Every logged loss by name, as (step, value), from the first step (resumed runs included).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, IReadOnlyList<(double X, double Y)>> History { get; init; } = new Dictionary<string, IReadOnlyList<(double X, double Y)>>();

    /// <summary>The last held-out figures by key (empty when the run had no held-out folder).</summary>
    public IReadOnlyDictionary<string, double> LastMetrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Every held-out figure by key, as (step, value).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, IReadOnlyList<(double X, double Y)>> MetricHistory { get; init; } = new Dictionary<string, IReadOnlyList<(double X, double Y)>>();
}

/// <summary>
/// The training loop every Atelier trainer shares: the learning-rate schedule (constant, then linear decay to
/// zero over the last DecaySteps), a CSV loss log, a sample grid and a loss plot every SampleEvery steps,
/// resumable checkpoints (networks, optimisers, pools, RNG states, step; atomic safetensors) every
/// CheckpointEvery steps and at the end, progress with the current losses, and Ctrl+C: save and stop. With a held-out
/// folder (EvalDir), the quality figures of the trainer's outputs on it (Atelier.Quality.HeldOutEvaluation) every
/// EvalEvery steps and at the end, in metrics.csv and metrics.png beside the losses.
/// </summary>
public static class TrainingLoop
{
    /// <summary>How many times one run goes back to its checkpoint after a freed-Scalar fault before it gives up.</summary>
    public const int MaxRecoveries = 5;

    public static TrainingResult Run(ITrainable model, TrainingLoopOptions o, bool resume,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default, Action<string>? warn = null)
    {
        if (o.Steps < 1) throw new AtelierUsageException($"{{Steps}} {o.Steps}: must be at least 1");
        if (o.DecaySteps < 0 || o.DecaySteps > o.Steps) throw new AtelierUsageException($"{{DecaySteps}} {o.DecaySteps}: must be between 0 and {{Steps}} {o.Steps}");
        if (o.EvalEvery is < 1) throw new AtelierUsageException($"{{EvalEvery}} {o.EvalEvery}: must be at least 1");
        if (o.EvalEvery is not null && o.EvalDir is null) throw new AtelierUsageException($"{{EvalEvery}} {o.EvalEvery}: needs a held-out folder ({{EvalDir}})");
        if (o.EvalDir is not null && model is not IHeldOutScoring)
            throw new AtelierUsageException($"{{EvalDir}}: a {model.Kind} run has no held-out figures");
        // The held-out folder is read first: a bad one fails before any training.
        using var evaluation = o.EvalDir is null ? null : Quality.HeldOutEvaluation.Create((IHeldOutScoring)model, o.EvalDir, o.EvalImages, warn);
        int evalEvery = o.EvalEvery ?? o.SampleEvery;
        Directory.CreateDirectory(o.RunDirectory);
        // A run killed while writing (SIGKILL during a checkpoint) leaves a temporary beside the file; it is of no use.
        AtomicFile.RemoveStaleTemporaries(o.RunDirectory);
        AtomicFile.RemoveStaleTemporaries(o.SamplesDirectory);
        var schedule = new LinearDecaySchedule(o.Steps - o.DecaySteps, o.DecaySteps);
        using var log = new SeriesLog(o.LossLogPath, "loss");
        using var metricLog = evaluation is null ? null : new SeriesLog(o.MetricLogPath, "metric");
        long step = 0;
        double secondsBefore = 0;
        if (resume)
        {
            if (!File.Exists(o.CheckpointPath)) throw new AtelierException($"{o.CheckpointPath}: no checkpoint to resume from");
            (step, secondsBefore) = LoadCheckpointAndSeconds(model, o.CheckpointPath);
            if (step > o.Steps) throw new AtelierUsageException($"{{Steps}} {o.Steps}: the checkpoint is already at step {step}");
        }
        else if (File.Exists(o.CheckpointPath))
            throw new AtelierUsageException($"{{RunDirectory}} {o.RunDirectory} already holds a run (checkpoint.safetensors); use {{Resume}} to continue it, or choose another {{RunDirectory}}");
        log.Restart(step, resume);
        metricLog?.Restart(step, resume);

        long startStep = step;
        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
        IReadOnlyDictionary<string, double> lastMetrics = metricLog is null ? new Dictionary<string, double>() : LastOf(metricLog);
        bool interrupted = false;
        int recoveries = 0;
        while (step < o.Steps)
        {
            if (ct.IsCancellationRequested) { interrupted = true; break; }
            model.SetLearningRateFactor(schedule.Factor(step));
            try
            {
                // Steps run with collections held off: TorchSharp's temporary Scalars stay alive (ScalarSafety).
                long current = step;
                last = ScalarSafety.Run(() => model.TrainStep(current));
            }
            catch (Exception e) when (ScalarSafety.IsFreedScalarFault(e) && recoveries < MaxRecoveries && File.Exists(o.CheckpointPath))
            {
                // The step may have half-updated the weights or the optimiser: back to the last checkpoint, as a resume would.
                recoveries++;
                long failed = step;
                (step, _) = LoadCheckpointAndSeconds(model, o.CheckpointPath);
                log.Restart(step, read: true);
                metricLog?.Restart(step, read: true);
                warn?.Invoke($"step {failed + 1}: libtorch read a freed scalar (a TorchSharp 0.107 fault); continued from the checkpoint at step {step} ({recoveries} of {MaxRecoveries} such recoveries)");
                continue;
            }
            foreach (var (k, v) in last)
                if (!double.IsFinite(v)) throw new AtelierException($"training diverged: loss {k} is {v} at step {step + 1}");
            step++;
            log.Append(step, last);
            if (step % o.SampleEvery == 0 || step == o.Steps)
            {
                log.Flush();
                WriteSamples(model, o, step, log.History);
            }
            if (evaluation is not null && metricLog is not null && (step % evalEvery == 0 || step == o.Steps))
            {
                // Held-out figures: eval-mode outputs, the training state untouched (IHeldOutScoring.Produce).
                lastMetrics = ScalarSafety.Run(() => evaluation.Evaluate()); // seconds: a stop request waits for it, then saves
                metricLog.Append(step, lastMetrics);
                metricLog.Flush();
                ImageIO.Save(MetricPlot(metricLog.Snapshot(), step), o.MetricPlotPath);
            }
            if (step % o.CheckpointEvery == 0 && step < o.Steps)
            {
                log.Flush(); // the logs hold every row the checkpoint covers, so a kill after it loses none
                metricLog?.Flush();
                Save(step);
            }
            progress?.Report(new ProgressReport(step, o.Steps, "train", last));
        }
        log.Flush();
        metricLog?.Flush();
        Save(step);
        return new TrainingResult(step, o.Steps, interrupted, o.CheckpointPath, last, clock.Elapsed.TotalSeconds)
        {
            StartStep = startStep,
            TotalSeconds = secondsBefore + clock.Elapsed.TotalSeconds,
            History = log.Snapshot(),
            LastMetrics = lastMetrics,
            MetricHistory = metricLog?.Snapshot() ?? new Dictionary<string, IReadOnlyList<(double X, double Y)>>(),
        };

        void Save(long at)
        {
            double seconds = secondsBefore + clock.Elapsed.TotalSeconds;
            SaveCheckpoint(model, o.CheckpointPath, at, seconds);
            WriteRunInfo(o, model.Kind, at, seconds, last, lastMetrics);
        }
    }

    /// <summary>The latest value of each series (a resumed run reports its last held-out figures until it measures anew).</summary>
    static Dictionary<string, double> LastOf(SeriesLog log) =>
        log.History.Where(kv => kv.Value.Count > 0).ToDictionary(kv => kv.Key, kv => kv.Value[^1].Y, StringComparer.Ordinal);

    /// <summary>One small plot per figure (their scales differ: PSNR in dB, SSIM near 1, distances near 0), two to a row.</summary>
    static Image MetricPlot(IReadOnlyDictionary<string, IReadOnlyList<(double X, double Y)>> series, long step)
    {
        var cells = series.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (LinePlot.Render(new Dictionary<string, IReadOnlyList<(double X, double Y)>> { [kv.Key] = kv.Value }, 400, 260, title: $"held-out {kv.Key} (step {step})"), (string?)null))
            .ToList();
        return ContactSheet.Create(cells, Math.Min(2, cells.Count));
    }

    public static void SaveCheckpoint(ITrainable model, string path, long step, double seconds = 0)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["atelier.kind"] = model.Kind,
            ["atelier.step"] = step.ToString(CultureInfo.InvariantCulture),
            ["atelier.seconds"] = seconds.ToString("R", CultureInfo.InvariantCulture),
        };
        using var rng = torch.get_rng_state();
        tensors["rng.torch"] = rng;
        model.SaveState(tensors, metadata);
        Checkpointing.Save(path, tensors, metadata);
    }

    /// <summary>Restores a run checkpoint into <paramref name="model"/> and returns its step.</summary>
    public static long LoadCheckpoint(ITrainable model, string path) => LoadCheckpointAndSeconds(model, path).Step;

    static (long Step, double Seconds) LoadCheckpointAndSeconds(ITrainable model, string path)
    {
        using var content = Checkpointing.Load(path);
        var kind = Checkpointing.Require(content.Metadata, "atelier.kind");
        if (kind != model.Kind) throw new AtelierException($"{path}: a {kind} run, not {model.Kind}");
        model.LoadState(content.Tensors, content.Metadata);
        torch.set_rng_state(Checkpointing.Require(content.Tensors, "rng.torch", null));
        long step = long.Parse(Checkpointing.Require(content.Metadata, "atelier.step"), CultureInfo.InvariantCulture);
        // Checkpoints from before the seconds were kept count from zero.
        double seconds = content.Metadata.TryGetValue("atelier.seconds", out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
        return (step, seconds);
    }

    static void WriteRunInfo(TrainingLoopOptions o, string kind, long step, double seconds, IReadOnlyDictionary<string, double> losses, IReadOnlyDictionary<string, double> metrics)
    {
        var info = new
        {
            kind, step, steps = o.Steps, trainingSeconds = Math.Round(seconds, 1), losses,
            heldOut = metrics.Count == 0 ? null : metrics, evalDir = o.EvalDir,
            savedUtc = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        var options = new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        AtomicFile.WriteAllText(o.RunInfoPath, System.Text.Json.JsonSerializer.Serialize(info, options) + "\n");
    }

    static void WriteSamples(ITrainable model, TrainingLoopOptions o, long step, Dictionary<string, List<(double X, double Y)>> history)
    {
        var (cells, columns) = model.Samples();
        var sheet = ContactSheet.Create(cells, columns);
        ImageIO.Save(sheet, Path.Combine(o.SamplesDirectory, $"step_{step:D6}.png"));
        ImageIO.Save(sheet, Path.Combine(o.SamplesDirectory, "latest.png"));
        var series = history.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<(double X, double Y)>)Smooth(kv.Value));
        ImageIO.Save(LinePlot.Render(series, title: $"losses (step {step})"), o.LossPlotPath);
    }

    /// <summary>A running mean over ~1% of the run, so the plot shows trends rather than per-step noise.</summary>
    static List<(double X, double Y)> Smooth(List<(double X, double Y)> points)
    {
        int w = Math.Max(1, points.Count / 100);
        var result = new List<(double, double)>(points.Count);
        double sum = 0;
        for (int i = 0; i < points.Count; i++)
        {
            sum += points[i].Y;
            if (i >= w) sum -= points[i - w].Y;
            result.Add((points[i].X, sum / Math.Min(i + 1, w)));
        }
        return result;
    }
}
