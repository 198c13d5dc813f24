using Atelier.Imaging;
using Atelier.Video;
using Atelier.Video.Temporal;
using Atelier.Tests.Cli;
using Xunit;
using Xunit.Abstractions;

namespace Atelier.Tests.Inference;

public class VideoTests(ITestOutputHelper output)
{
    /// <summary>A short synthetic clip: a bright disc moving across a gradient with a little per-frame sensor noise.</summary>
    static void WriteClip(string folder, int frames, int width = 48, int height = 40)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(7);
        for (int t = 0; t < frames; t++)
        {
            var img = new Image(width, height, 3);
            float cx = 10 + 2.5f * t, cy = 20;
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    bool disc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < 49;
                    for (int c = 0; c < 3; c++)
                        img[c, y, x] = Math.Clamp((disc ? 0.9f - 0.3f * c : 0.2f + 0.5f * x / width * (c == 0 ? 1 : 0.5f)) + 0.04f * (float)(rng.NextDouble() - 0.5), 0, 1);
                }
            ImageIO.Save(img, Path.Combine(folder, $"in_{t:D3}.png"));
        }
    }

    [Fact]
    public void StabilisedFramesFlickerLessAndAFolderKeepsCountAndSize()
    {
        using var dir = TestPaths.NewTempDir();
        WriteClip(dir.File("clip"), 8);
        using var net = InferenceTestNets.TinyResnet();
        var source = FrameSource.Open(dir.File("clip"), 12);
        var plain = VideoProcessor.Run(source, net, dir.File("plain"), new VideoOptions { StatisticsMomentum = 0, Temporal = TemporalMode.None });
        var steady = VideoProcessor.Run(source, net, dir.File("steady"), new VideoOptions { StatisticsMomentum = 0.8, Temporal = TemporalMode.Blend, TemporalWeight = 0.3 });
        var emaOnly = VideoProcessor.Run(source, net, dir.File("ema"), new VideoOptions { StatisticsMomentum = 0.8, Temporal = TemporalMode.None });
        output.WriteLine($"flicker (output change / input change): per-frame {plain.Flicker:F3}, EMA statistics {emaOnly.Flicker:F3}, EMA + temporal filter {steady.Flicker:F3}");
        Assert.Equal(8, Directory.GetFiles(dir.File("steady"), "frame_*.png").Length);
        var f = ImageIO.Load(Path.Combine(dir.File("steady"), VideoProcessor.FrameName(7)));
        Assert.Equal((48, 40), (f.Width, f.Height));
        Assert.True(steady.Flicker < plain.Flicker, $"stabilised {steady.Flicker} vs per-frame {plain.Flicker}");
        Assert.True(emaOnly.Flicker <= plain.Flicker * 1.001, $"EMA statistics alone {emaOnly.Flicker} vs per-frame {plain.Flicker}");
        // Deterministic: running again gives the same frames.
        var again = VideoProcessor.Run(source, net, dir.File("again"), new VideoOptions { StatisticsMomentum = 0, Temporal = TemporalMode.None });
        Assert.Equal(0, VideoProcessor.MeanAbsDiff(ImageIO.Load(Path.Combine(dir.File("again"), VideoProcessor.FrameName(5))), ImageIO.Load(Path.Combine(dir.File("plain"), VideoProcessor.FrameName(5)))));
    }

    [Fact]
    public void ACutRunResumesAtTheFirstMissingFrame()
    {
        using var dir = TestPaths.NewTempDir();
        WriteClip(dir.File("clip"), 6);
        using var net = InferenceTestNets.TinyResnet();
        var source = FrameSource.Open(dir.File("clip"), 12);
        // The motion mode where OpenCV loads (it carries the last finished frame into the first resumed one).
        var options = new VideoOptions { Temporal = OpticalFlow.Available ? TemporalMode.Motion : TemporalMode.None };
        var full = VideoProcessor.Run(source, net, dir.File("full"), options);
        // Cut after three frames: the later ones are missing, as after Ctrl+C.
        VideoProcessor.Run(source, net, dir.File("cut"), options);
        for (int i = 3; i < 6; i++) File.Delete(Path.Combine(dir.File("cut"), VideoProcessor.FrameName(i)));
        var resumed = VideoProcessor.Run(source, net, dir.File("cut"), options);
        Assert.Equal(3, resumed.ResumedAt);
        Assert.Equal(6, resumed.Frames);
        // The moving average was warmed up on the last finished frame, so the resumed frames equal an uncut run's.
        for (int i = 3; i < 6; i++)
            Assert.True(VideoProcessor.MeanAbsDiff(ImageIO.Load(Path.Combine(dir.File("cut"), VideoProcessor.FrameName(i))),
                ImageIO.Load(Path.Combine(dir.File("full"), VideoProcessor.FrameName(i)))) < 2e-3);
        _ = full;
    }

    [SkippableFact]
    public void AVideoFileKeepsFrameCountSizeAndRate()
    {
        Skip.IfNot(Ffmpeg.Available, "ffmpeg/ffprobe are not installed (apt-get install ffmpeg); the video-file path is not tested here");
        using var dir = TestPaths.NewTempDir();
        WriteClip(dir.File("clip"), 6, 48, 40);
        // Encode the clip at 12 fps with a sine audio track, as a user's video would come.
        var psi = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-y", "-framerate", "12", "-pattern_type", "glob", "-i", Path.Combine(dir.File("clip"), "*.png"),
            "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", dir.File("in.mp4") })
            psi.ArgumentList.Add(a);
        using (var p = System.Diagnostics.Process.Start(psi)!) { p.StandardError.ReadToEnd(); p.WaitForExit(); Assert.Equal(0, p.ExitCode); }
        var info = Ffmpeg.Probe(dir.File("in.mp4"));
        Assert.True(info.HasAudio);

        using var net = InferenceTestNets.TinyResnet();
        var result = VideoProcessor.Run(FrameSource.Open(dir.File("in.mp4")), net, dir.File("out.mp4"), new VideoOptions { Temporal = TemporalMode.None });
        var outInfo = Ffmpeg.Probe(dir.File("out.mp4"));
        Assert.Equal((48, 40), (outInfo.Width, outInfo.Height));
        Assert.Equal(12.0, outInfo.FrameRate, 3);
        Assert.Equal(info.FrameCount, outInfo.FrameCount);
        Assert.Equal(result.Frames, outInfo.FrameCount);
        Assert.True(outInfo.HasAudio);
        // Nothing left behind: no work folder, no temporary file.
        Assert.Equal("in.mp4,out.mp4", string.Join(",", Directory.GetFileSystemEntries(dir.Path).Select(p => Path.GetFileName(p)).Where(n => n != "clip").Order(StringComparer.Ordinal)));

        var bad = dir.File("bad.mp4");
        File.WriteAllText(bad, "not a video");
        var e = Assert.Throws<AtelierException>(() => FrameSource.Open(bad));
        Assert.Contains("bad.mp4", e.Message);
    }

    [SkippableFact]
    public void TheMotionModeIsTheDefaultAndGivesTheSameFramesTwice()
    {
        Skip.IfNot(OpticalFlow.Available, OpticalFlow.LoadError);
        using var dir = TestPaths.NewTempDir();
        WriteClip(dir.File("clip"), 5);
        using var net = InferenceTestNets.TinyResnet();
        var source = FrameSource.Open(dir.File("clip"), 12);
        var first = VideoProcessor.Run(source, net, dir.File("a"), new VideoOptions());
        VideoProcessor.Run(source, net, dir.File("b"), new VideoOptions());
        Assert.Equal(TemporalMode.Motion, first.Temporal);
        Assert.True(first.Drift > 0);
        Assert.NotNull(first.WarpingError);
        for (int i = 0; i < 5; i++)
            Assert.Equal(0, VideoProcessor.MeanAbsDiff(ImageIO.Load(Path.Combine(dir.File("a"), VideoProcessor.FrameName(i))), ImageIO.Load(Path.Combine(dir.File("b"), VideoProcessor.FrameName(i)))));
    }

    [SkippableFact]
    public void CliReportsTheWarpingErrorAndRefusesBothTemporalSpellings()
    {
        Skip.IfNot(OpticalFlow.Available, OpticalFlow.LoadError);
        using var dir = TestPaths.NewTempDir();
        WriteClip(dir.File("clip"), 4);
        var r = CliHarness.Run("video", "stylize", dir.File("clip"), "-m", "candy", "-o", dir.File("out"), "--temporal", "motion", "--temporal-weight", "0.6", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var json = System.Text.Json.JsonDocument.Parse(r.Out);
        var root = json.RootElement;
        Assert.Equal("motion", root.GetProperty("temporal").GetString());
        Assert.Equal(0.6, root.GetProperty("temporalWeight").GetDouble());
        Assert.True(root.GetProperty("warpingError").GetDouble() > 0);
        Assert.True(root.GetProperty("inputWarpingError").GetDouble() > 0);
        Assert.True(root.GetProperty("drift").GetDouble() > 0);
        Assert.True(root.GetProperty("flicker").GetDouble() > 0);

        var both = CliHarness.Run("video", "stylize", dir.File("clip"), "-m", "candy", "-o", dir.File("o2"), "--temporal", "motion", "--temporal-filter", "0.3");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--temporal-filter", both.Err);
        var weight = CliHarness.Run("video", "stylize", dir.File("clip"), "-m", "candy", "-o", dir.File("o3"), "--temporal-weight", "1");
        Assert.Equal(2, weight.ExitCode);
        Assert.Contains("--temporal-weight 1", weight.Err);
    }

    [Fact]
    public void CliRejectsMissingInputAndNamesTheFile()
    {
        using var dir = TestPaths.NewTempDir();
        var r = CliHarness.Run("video", "translate", dir.File("nope.mp4"), "-c", dir.File("g.pth"), "-o", dir.File("o.mp4"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("nope.mp4", r.Err);
    }
}
