using Atelier.Imaging;
using Atelier.Models;
using Atelier.Style;
using Atelier.Tests.Cli;
using Atelier.Video;
using Atelier.Video.Temporal;
using Xunit;
using Xunit.Abstractions;

namespace Atelier.Tests.Video;

/// <summary>
/// Optical flow on clips with known motion, and the motion-compensated mode on them stylised by the shipped candy
/// network: the warping error it leaves against per-frame stylisation, and whether it follows motion or ghosts.
/// </summary>
public class MotionCompensationTests(ITestOutputHelper output)
{
    const int Frames = 6, Width = 64, Height = 48, Side = 14, Step = 4;

    static VideoResult Run(string clip, TransformerNet net, string outDir, TemporalMode mode, double weight = 0.7) =>
        VideoProcessor.Run(FrameSource.Open(clip, 12), new FastStyleNetwork(net), outDir, new VideoOptions { Temporal = mode, TemporalWeight = weight });

    static TransformerNet Candy() => FastStyle.LoadModel(ShippedModels.All().Single(m => m.Name == "fast-style-candy").Path);

    static Image Frame(string folder, int t) => ImageIO.Load(Path.Combine(folder, VideoProcessor.FrameName(t)));

    [SkippableFact]
    public void TheFlowFindsAKnownPanAndDistrustsWhatAMovingSquareUncovers()
    {
        Skip.IfNot(OpticalFlow.Available, OpticalFlow.LoadError);
        var flow = OpticalFlow.Create();
        var pan = SyntheticClips.Pan(2, Width, Height, 1.5f, 0.5f);
        var motion = FrameMotion.Between(flow, pan[0], pan[1]);
        // Frame 1 shows frame 0's content 1.5 px right and 0.5 px down: backward flow (1.5, 0.5), forward the opposite.
        double Median(float[] v) => v.Order().ElementAt(v.Length / 2);
        Assert.Equal(1.5, Median(motion.Backward.Dx), 1);
        Assert.Equal(0.5, Median(motion.Backward.Dy), 1);
        Assert.Equal(-1.5, Median(motion.Forward.Dx), 1);
        Assert.True(OcclusionMask.Coverage(motion.Reliable) > 0.85, $"reliable {OcclusionMask.Coverage(motion.Reliable)}");

        var square = SyntheticClips.MovingSquare(3, Width, Height, Side, Step);
        var m = FrameMotion.Between(flow, square[1], square[2]);
        // The strip the square left (in frame 1, not in frame 2) shows background hidden a frame ago.
        var (x1, y) = SyntheticClips.SquareAt(1, Height, Side, Step);
        double uncovered = 0, still = 0;
        int n = 0, k = 0;
        for (int yy = y + 2; yy < y + Side - 2; yy++)
        {
            for (int xx = x1; xx < x1 + Step - 1; xx++, n++) uncovered += m.Reliable[yy * Width + xx];
            for (int xx = Width - 10; xx < Width - 2; xx++, k++) still += m.Reliable[yy * Width + xx];
        }
        output.WriteLine($"reliable: uncovered strip {uncovered / n:F2}, still background {still / k:F2}");
        Assert.True(uncovered / n < 0.5, $"uncovered strip trusted at {uncovered / n}");
        Assert.True(still / k > 0.9, $"still background trusted at {still / k}");
    }

    [SkippableFact]
    public void MotionCompensationHalvesTheWarpingErrorOfAPanAndFollowsAMovingSquareWithoutGhosts()
    {
        Skip.IfNot(OpticalFlow.Available, OpticalFlow.LoadError);
        using var dir = TestPaths.NewTempDir();
        using var net = Candy();
        var pan = SyntheticClips.Write(SyntheticClips.Pan(Frames, Width, Height, 1.5f, 0.5f), dir.File("pan"));
        var panOwn = Run(pan, net, dir.File("pan-none"), TemporalMode.None);
        var panMotion = Run(pan, net, dir.File("pan-motion"), TemporalMode.Motion);
        var square = SyntheticClips.Write(SyntheticClips.MovingSquare(Frames, Width, Height, Side, Step), dir.File("square"));
        var own = Run(square, net, dir.File("sq-none"), TemporalMode.None);
        var blend = Run(square, net, dir.File("sq-blend"), TemporalMode.Blend);
        var motion = Run(square, net, dir.File("sq-motion"), TemporalMode.Motion);
        foreach (var (name, r) in new[] { ("pan, per-frame", panOwn), ("pan, motion 0.7", panMotion), ("square, per-frame", own), ("square, blend 0.7", blend), ("square, motion 0.7", motion) })
            output.WriteLine($"{name}: warping error {r.WarpingError:F4} (input {r.InputWarpingError:F4}, reliable {r.Reliable:P0}), drift {r.Drift:F4}, frame-to-frame change {r.OutputChange:F4}");

        Assert.Equal(0, panOwn.Drift);
        Assert.True(panMotion.WarpingError <= 0.5 * panOwn.WarpingError, $"pan: motion {panMotion.WarpingError} vs per-frame {panOwn.WarpingError}");
        Assert.True(motion.WarpingError <= 0.5 * own.WarpingError, $"square: motion {motion.WarpingError} vs per-frame {own.WarpingError}");
        // It stays near what the network makes of each frame (a frozen video would not).
        Assert.True(motion.Drift is > 0 and < 0.06, $"drift {motion.Drift}");

        // Ghosts: where the square was in the last three frames but is no more, the output should be the per-frame
        // background; the plain blend leaves a fading trail there, the motion mode should not. Inside the square it
        // should carry the square along.
        int last = Frames - 1;
        var (sx, sy) = SyntheticClips.SquareAt(last, Height, Side, Step);
        var reference = Frame(dir.File("sq-none"), last);
        double Off(string folder, Func<int, int, bool> where)
        {
            var img = Frame(folder, last);
            double sum = 0; int n = 0;
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                    if (where(x, y))
                        for (int c = 0; c < 3; c++, n++) sum += Math.Abs(img[c, y, x] - reference[c, y, x]);
            return sum / n;
        }
        bool Trail(int x, int y) => y >= sy + 1 && y < sy + Side - 1 && x >= SyntheticClips.SquareAt(last - 3, Height, Side, Step).X && x < sx - 1;
        bool Inside(int x, int y) => y >= sy + 1 && y < sy + Side - 1 && x >= sx + 1 && x < sx + Side - 1;
        double ghostBlend = Off(dir.File("sq-blend"), Trail), ghostMotion = Off(dir.File("sq-motion"), Trail);
        double carryBlend = Off(dir.File("sq-blend"), Inside), carryMotion = Off(dir.File("sq-motion"), Inside);
        output.WriteLine($"off the per-frame output: trail blend {ghostBlend:F4} motion {ghostMotion:F4}; inside the square blend {carryBlend:F4} motion {carryMotion:F4}");
        Assert.True(ghostMotion < 0.5 * ghostBlend, $"trail: motion {ghostMotion} vs blend {ghostBlend}");
        Assert.True(carryMotion < 0.5 * carryBlend, $"inside the square: motion {carryMotion} vs blend {carryBlend}");
    }
}
