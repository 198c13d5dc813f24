using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Inference;
using Atelier.IO;
using Atelier.Runtime;
using Atelier.Video.Temporal;
using static TorchSharp.torch;

namespace Atelier.Video;

/// <summary>Temporal-stability controls of <see cref="VideoProcessor"/>.</summary>
public sealed record VideoOptions
{
    /// <summary>
    /// Weight of the previous frames' normalisation statistics (instance norm, AdaIN/WCT content statistics) in the
    /// current frame's: an exponential moving average; 0 = every frame on its own.
    /// </summary>
    public double StatisticsMomentum { get; init; } = 0.7;

    /// <summary>How each output frame is tied to the previous one (see <see cref="TemporalMode"/>).</summary>
    public TemporalMode Temporal { get; init; } = TemporalMode.Motion;

    /// <summary>Weight of the previous output in <see cref="TemporalMode.Blend"/> and <see cref="TemporalMode.Motion"/>, in [0, 1).</summary>
    public double TemporalWeight { get; init; } = 0.7;

    /// <summary>
    /// Measure the warping error (needs optical flow between the input frames, through OpenCV). Always on with
    /// <see cref="TemporalMode.Motion"/>; otherwise, where OpenCV cannot be loaded the figure is left out with a note.
    /// </summary>
    public bool MeasureWarping { get; init; } = true;

    /// <summary>Frames per second of a folder of frames (a video file keeps its own rate).</summary>
    public double FolderRate { get; init; } = 25;

    /// <summary>Re-seeded before every frame so any randomness in the network (dropout) is the same for every frame.</summary>
    public long Seed { get; init; } = 0;

    public TilingOptions Tiling { get; init; } = new();
}

/// <summary>
/// What a run did: frames, size and rate written, and the temporal figures over the frames this run processed:
/// the mean frame-to-frame change of input and output, the warping errors (<see cref="Temporal.WarpingError"/>) of
/// output and input, the share of pixels the flow trusted, and how far the output drifted from the network's own
/// output for each frame (0 without a temporal mode; what keeps a frozen video from winning).
/// </summary>
public sealed record VideoResult(string Output, int Frames, int Width, int Height, string Rate, bool Audio, int ResumedAt,
    double InputChange, double OutputChange, double Seconds)
{
    /// <summary>Flicker: the mean absolute frame-to-frame change of the output over that of the input (1 = follows the input).</summary>
    public double Flicker => InputChange > 0 ? OutputChange / InputChange : double.NaN;

    public TemporalMode Temporal { get; init; }
    /// <summary>Mean warping error of the output (null when not measured).</summary>
    public double? WarpingError { get; init; }
    /// <summary>The same figure for the input frames: what the flow itself leaves unexplained (lighting, blur, flow error).</summary>
    public double? InputWarpingError { get; init; }
    /// <summary>Mean trust of the flow over the pixels (forward-backward consistency and brightness constancy, <see cref="OcclusionMask"/>).</summary>
    public double? Reliable { get; init; }
    /// <summary>Mean absolute difference between each output frame and the network's own output for that frame.</summary>
    public double Drift { get; init; }
    /// <summary>Why the warping error is missing, when it is.</summary>
    public string? Note { get; init; }
}

/// <summary>
/// Runs a feed-forward network over every frame of a video or frame folder, deterministically, with normalisation
/// statistics averaged across neighbouring frames and, optionally, each output tied to the previous one (blended in
/// place, or carried along the input's optical flow where it is reliable). Finished frames are written
/// one by one (atomically) to a work folder, so a cut run resumes at the first missing frame; a video output is
/// assembled by ffmpeg under a temporary name (with the input's rate and audio) and renamed at the end.
/// </summary>
public static class VideoProcessor
{
    static readonly string[] VideoExtensions = [".mp4", ".mkv", ".mov", ".avi", ".webm", ".gif"];

    public static bool IsVideoPath(string path) => VideoExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    public static string FrameName(int index) => $"frame_{index + 1:D6}.png";

    public static VideoResult Run(FrameSource source, IImageNetwork net, string output, VideoOptions options,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        if (options.StatisticsMomentum is < 0 or >= 1) throw new AtelierUsageException($"{{StatisticsMomentum}} {options.StatisticsMomentum}: must be from 0 up to (not including) 1");
        if (options.TemporalWeight is < 0 or >= 1) throw new AtelierUsageException($"{{TemporalWeight}} {options.TemporalWeight}: must be from 0 up to (not including) 1");
        bool toVideo = IsVideoPath(output);
        if (toVideo && !Ffmpeg.Available) throw new AtelierException($"{output}: writing a video file needs ffmpeg, which is not installed; {Ffmpeg.InstallHint}");
        if (!toVideo && File.Exists(output)) throw new AtelierUsageException($"{{Output}} {output}: is a file; give a video name (.mp4, .mkv, ...) or a folder for the frames");
        string full = Path.GetFullPath(output);
        string frames = toVideo ? Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".atelier-frames") : full;
        Directory.CreateDirectory(frames);
        CheckJob(frames, source, net, options);
        var (flow, note) = FlowFor(options);

        int resumeAt = 0;
        while (File.Exists(Path.Combine(frames, FrameName(resumeAt)))) resumeAt++;
        // On resume, the moving average is rebuilt on the frames just before: as many as it takes for the ones
        // further back to weigh under 1 % (13 at momentum 0.7).
        double mom = options.StatisticsMomentum;
        int warmFrom = mom > 0 ? Math.Max(0, resumeAt - (int)Math.Ceiling(Math.Log(0.01) / Math.Log(mom))) : resumeAt - 1;
        var clock = Stopwatch.StartNew();
        using var stats = new NormStatistics { Momentum = options.StatisticsMomentum };
        var plan = TilePlan.Create(source.Width, source.Height, 3, net, options.Tiling);
        Image? prevIn = null, prevOut = null;
        double inChange = 0, outChange = 0, warpError = 0, inWarpError = 0, reliable = 0, drift = 0;
        int pairs = 0, warpPairs = 0, done = 0, index = 0;
        float weight = (float)options.TemporalWeight;
        long total = source.Count ?? 0;
        foreach (var frame in source.Frames(ct))
        {
            ct.ThrowIfCancellationRequested();
            if (index < resumeAt)
            {
                // Already done in an earlier run: warm up the moving average, keep the last input and output for the
                // temporal modes and the figures.
                if (index >= warmFrom) ScalarSafety.Run(() => Process(frame, net, plan, options, stats));
                if (index == resumeAt - 1) prevOut = ImageOps.ClampInPlace(ImageIO.Load(Path.Combine(frames, FrameName(index))));
                prevIn = frame;
                index++;
                continue;
            }
            // Each frame in its own no-collection region: the frames, flows and figures allocate more managed memory
            // than one region allows, and a collection mid-frame could free a temporary Scalar a native call still uses.
            var own = ImageOps.ClampInPlace(ScalarSafety.Run(() => Process(frame, net, plan, options, stats)));
            var result = own;
            if (prevIn is not null && prevOut is not null)
            {
                var motion = flow is null ? null : FrameMotion.Between(flow, prevIn, frame);
                var warpedOut = motion?.WarpPrevious(prevOut);
                if (options.Temporal == TemporalMode.Blend)
                {
                    result = own.Clone();
                    TemporalBlend.Plain(result, prevOut, weight);
                }
                else if (options.Temporal == TemporalMode.Motion)
                {
                    result = own.Clone();
                    TemporalBlend.Motion(result, warpedOut!, motion!.Reliable, weight);
                }
                inChange += MeanAbsDiff(frame, prevIn);
                outChange += MeanAbsDiff(result, prevOut);
                pairs++;
                if (motion is not null && WarpingError.Between(result, warpedOut!, motion.Reliable) is var e && !double.IsNaN(e))
                {
                    warpError += e;
                    inWarpError += WarpingError.Between(frame, motion.WarpedPreviousInput, motion.Reliable);
                    reliable += OcclusionMask.Coverage(motion.Reliable);
                    warpPairs++;
                }
            }
            drift += ReferenceEquals(result, own) ? 0 : MeanAbsDiff(result, own);
            done++;
            ImageIO.Save(result, Path.Combine(frames, FrameName(index)));
            prevIn = frame; prevOut = result;
            index++;
            progress?.Report(new ProgressReport(index, Math.Max(total, index), "frames"));
        }
        if (index == 0) throw new AtelierException($"{source.Path}: no frames could be read");

        if (toVideo)
        {
            string ext = Path.GetExtension(full);
            string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileNameWithoutExtension(full) + ".partial" + ext);
            try
            {
                Ffmpeg.Encode(Path.Combine(frames, "frame_%06d.png"), source.RateText, source.Width, source.Height, temp,
                    source.HasAudio && !source.IsFolder ? source.Path : null);
                File.Move(temp, full, overwrite: true);
            }
            finally { if (File.Exists(temp)) File.Delete(temp); }
            Directory.Delete(frames, recursive: true);
        }
        // A frame folder keeps its atelier-video.json: it says what made the frames, and lets a rerun resume or finish.
        return new VideoResult(output, index, source.Width, source.Height, source.RateText, toVideo && source.HasAudio && !source.IsFolder,
            resumeAt, pairs > 0 ? inChange / pairs : 0, pairs > 0 ? outChange / pairs : 0, clock.Elapsed.TotalSeconds)
        {
            Temporal = options.Temporal,
            WarpingError = warpPairs > 0 ? warpError / warpPairs : null,
            InputWarpingError = warpPairs > 0 ? inWarpError / warpPairs : null,
            Reliable = warpPairs > 0 ? reliable / warpPairs : null,
            Drift = done > 0 ? drift / done : 0,
            Note = note,
        };
    }

    /// <summary>
    /// The flow estimator the run needs: required by the motion mode; for the figures alone, a missing OpenCV only
    /// leaves them out (the run itself does not need it).
    /// </summary>
    static (IOpticalFlow? Flow, string? Note) FlowFor(VideoOptions options)
    {
        if (options.Temporal == TemporalMode.Motion) return (OpticalFlow.Create(), null);
        if (!options.MeasureWarping) return (null, null);
        return OpticalFlow.LoadError is { } why ? (null, $"no warping error: {why}") : (OpticalFlow.Create(), null);
    }

    static Image Process(Image frame, IImageNetwork net, TilePlan plan, VideoOptions options, NormStatistics stats)
    {
        manual_seed(options.Seed);
        var input = net.PrepareInput(frame);
        return TiledInference.Run(input, net, plan, options.Tiling, net.UsesStatistics ? stats : null);
    }

    public static double MeanAbsDiff(Image a, Image b)
    {
        double sum = 0;
        for (int i = 0; i < a.Data.Length; i++) sum += Math.Abs(a.Data[i] - b.Data[i]);
        return sum / a.Data.Length;
    }

    const string JobFile = "atelier-video.json";

    /// <summary>A work folder belongs to one input and network; resuming someone else's frames would mix two videos.</summary>
    static void CheckJob(string frames, FrameSource source, IImageNetwork net, VideoOptions options)
    {
        // The temporal mode too: a resumed run carries on from the last frame, so both halves must tie frames alike.
        var temporal = options.Temporal == TemporalMode.None ? "none" : $"{options.Temporal.ToString().ToLowerInvariant()} {options.TemporalWeight.ToString(CultureInfo.InvariantCulture)}";
        var job = JsonSerializer.Serialize(new { input = Path.GetFullPath(source.Path), width = source.Width, height = source.Height, network = net.Name, temporal });
        var path = Path.Combine(frames, JobFile);
        if (File.Exists(path))
        {
            if (File.ReadAllText(path) != job)
                throw new AtelierException($"{frames}: holds frames of another run ({File.ReadAllText(path)}); remove it or choose another output");
            return;
        }
        if (Directory.EnumerateFiles(frames, "frame_*.png").Any())
            throw new AtelierException($"{frames}: already holds frames not made by this command; remove them or choose another output");
        AtomicFile.WriteAllText(path, job);
    }

    /// <summary>Flicker of a finished frame folder (mean absolute change between consecutive frames).</summary>
    public static double FolderChange(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*.png").Order(StringComparer.Ordinal).ToList();
        double sum = 0;
        for (int i = 1; i < files.Count; i++) sum += MeanAbsDiff(ImageIO.Load(files[i]), ImageIO.Load(files[i - 1]));
        return files.Count > 1 ? sum / (files.Count - 1) : 0;
    }

    public static string Format(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
