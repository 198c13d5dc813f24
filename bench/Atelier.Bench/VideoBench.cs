using Atelier.Imaging;
using Atelier.Runtime;
using Atelier.Style;
using Atelier.Video;
using Atelier.Video.Temporal;
using static TorchSharp.torch;

namespace Atelier.Bench;

/// <summary>
/// Video throughput: frames per second of `video stylize` with Johnson's TransformerNet (random weights: the speed
/// does not depend on them) on a pan over a shipped photo, at 256 and 512 px (4:3 frames, the longer side), for
/// per-frame stylisation without flow, per-frame with the warping-error figures (flow computed, not used), and the
/// motion-compensated mode; and the flow's own cost per frame pair (both flows, warp, mask). Whole runs through
/// VideoProcessor, PNG writing included; one warm-up run, then the three modes in turn for --rounds rounds, each
/// mode's best round reported (on a shared machine the best round is the one least slowed by others).
///   dotnet run -c Release --project bench/Atelier.Bench -- video [--sizes 256,512] [--frames 8] [--rounds 2] [--threads 2]
/// </summary>
static class VideoBench
{
    public static int Run(string[] argv)
    {
        var a = new BenchArgs(argv);
        int threads = a.Int("--threads", 2), frames = a.Int("--frames", 8), rounds = a.Int("--rounds", 2);
        TorchRuntime.SetThreads(threads);
        TorchRuntime.DisableNnpack();
        Console.WriteLine($"libtorch {TorchRuntime.Describe().LibTorchVersion}, {threads} threads; load average {BenchSupport.LoadAverage()}");
        Console.WriteLine($"video stylize, TransformerNet, {frames} frames a run; frames per second (whole run, PNGs written), best of {rounds} rounds");
        manual_seed(1);
        using var net = new TransformerNet();
        net.eval();
        var network = new FastStyleNetwork(net);
        var work = Directory.CreateTempSubdirectory("atelier-video-bench");
        try
        {
            Console.WriteLine($"{"size",-9} {"per-frame",10} {"+ figures",10} {"motion",10} {"flow ms/pair",13}");
            foreach (int side in a.Ints("--sizes", [256, 512]))
            {
                int w = side, h = side * 3 / 4;
                var clipFolder = Path.Combine(work.FullName, $"clip{side}");
                var clip = Pan(frames, w, h);
                Directory.CreateDirectory(clipFolder);
                for (int t = 0; t < clip.Count; t++) ImageIO.Save(clip[t], Path.Combine(clipFolder, $"f_{t:D3}.png"));
                var source = FrameSource.Open(clipFolder, 25);
                var cases = new (string Name, VideoOptions Options)[]
                {
                    ("none", new VideoOptions { Temporal = TemporalMode.None, MeasureWarping = false }),
                    ("figures", new VideoOptions { Temporal = TemporalMode.None }),
                    ("motion", new VideoOptions { Temporal = TemporalMode.Motion }),
                };
                // Warm-up (libtorch's kernels, OpenCV's library), then the modes in turn, so load changes hit them alike.
                VideoProcessor.Run(source, network, Path.Combine(work.FullName, $"warm{side}"), cases[2].Options);
                var best = new double[cases.Length];
                for (int round = 0; round < rounds; round++)
                    for (int k = 0; k < cases.Length; k++)
                    {
                        var r = VideoProcessor.Run(source, network, Path.Combine(work.FullName, $"{cases[k].Name}{side}-{round}"), cases[k].Options);
                        best[k] = Math.Max(best[k], r.Frames / r.Seconds);
                    }
                double plain = best[0], figures = best[1], motion = best[2];
                var flow = OpticalFlow.Create();
                double flowMs = BenchSupport.MedianSeconds(0, clip.Count - 1, t => FrameMotion.Between(flow, clip[t], clip[t + 1])) * 1000;
                Console.WriteLine($"{$"{w}x{h}",-9} {plain,10:0.00} {figures,10:0.00} {motion,10:0.00} {flowMs,13:0.0}");
            }
        }
        finally { work.Delete(recursive: true); }
        return 0;
    }

    /// <summary>A window panned 1.5 px right and 0.5 px down a frame over the shipped meadow photo.</summary>
    static List<Image> Pan(int frames, int width, int height)
    {
        var photo = ImageResize.Resize(ShippedPictures.Photos.All().Single(p => p.Name == "meadow").Load(), width + 2 * frames + 8, height + frames + 8);
        var clip = new List<Image>();
        for (int t = 0; t < frames; t++)
        {
            float ox = 2 + 1.5f * t, oy = 2 + 0.5f * t;
            var img = new Image(width, height, 3);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        float sx = x + ox, sy = y + oy;
                        int x0 = (int)sx, y0 = (int)sy;
                        float fx = sx - x0, fy = sy - y0;
                        img[c, y, x] = (1 - fy) * ((1 - fx) * photo[c, y0, x0] + fx * photo[c, y0, x0 + 1])
                                     + fy * ((1 - fx) * photo[c, y0 + 1, x0] + fx * photo[c, y0 + 1, x0 + 1]);
                    }
            clip.Add(img);
        }
        return clip;
    }
}
