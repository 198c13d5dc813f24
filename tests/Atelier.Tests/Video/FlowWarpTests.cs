using Atelier.Imaging;
using Atelier.Video;
using Atelier.Video.Temporal;
using Xunit;

namespace Atelier.Tests.Video;

/// <summary>The managed pieces of motion compensation, on flows known exactly (no OpenCV).</summary>
public class FlowWarpTests
{
    static Image Pattern(int w, int h, float shift = 0)
    {
        var img = new Image(w, h, 3);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    img[c, y, x] = 0.5f + 0.4f * MathF.Sin(0.3f * (x + shift) + 0.2f * y + c);
        return img;
    }

    [Fact]
    public void WarpingByAFractionalShiftBringsTheShiftedFrameBack()
    {
        // next shows the pattern moved 2.5 px left (content at x + 2.5); its backward flow to the first frame is +2.5.
        var first = Pattern(40, 30);
        var next = Pattern(40, 30, 2.5f);
        var warped = FlowWarp.Warp(first, FlowField.Uniform(40, 30, 2.5f, 0));
        double interior = 0; int n = 0;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 30; y++)
                for (int x = 0; x < 36; x++, n++)
                    interior += Math.Abs(warped[c, y, x] - next[c, y, x]);
        // Bilinear sampling of a sine of period 21 px: a small interpolation error, far below the shift's own change.
        Assert.True(interior / n < 0.01, $"warped vs shifted {interior / n}");
        Assert.True(VideoProcessor.MeanAbsDiff(first, next) > 0.15);
        // Integer shift: exact.
        var exact = FlowWarp.Warp(first, FlowField.Uniform(40, 30, 3, 0));
        Assert.Equal(first[1, 10, 13], exact[1, 10, 10]);
    }

    [Fact]
    public void ConsistentFlowsAreTrustedAndContradictoryOnesAndEntriesFromOutsideAreNot()
    {
        var backward = FlowField.Uniform(20, 10, 3, 0);
        var mask = OcclusionMask.Consistent(backward, FlowField.Uniform(20, 10, -3, 0));
        // Columns 17-19 come from outside the previous frame: new content.
        Assert.Equal(0f, mask[5 * 20 + 17]);
        Assert.Equal(1f, mask[5 * 20 + 16]);
        Assert.Equal(17.0 / 20, OcclusionMask.Coverage(mask), 6);
        // The forward flow does not return: an occlusion everywhere.
        Assert.Equal(0, OcclusionMask.Coverage(OcclusionMask.Consistent(backward, FlowField.Uniform(20, 10, 3, 0))));
    }

    [Fact]
    public void TheWarpingErrorIgnoresTrueMotionAndChargesAFrozenVideo()
    {
        var first = Pattern(40, 30);
        var next = Pattern(40, 30, 3);
        var flow = FlowField.Uniform(40, 30, 3, 0);
        var mask = OcclusionMask.Consistent(flow, FlowField.Uniform(40, 30, -3, 0));
        Assert.Equal(0, WarpingError.Between(next, FlowWarp.Warp(first, flow), mask), 6);
        // The frame-to-frame change counts the motion; a frozen video (next = first) pays for not moving.
        Assert.True(VideoProcessor.MeanAbsDiff(next, first) > 0.2);
        Assert.True(WarpingError.Between(first, FlowWarp.Warp(first, flow), mask) > 0.2);
        Assert.True(double.IsNaN(WarpingError.Between(next, first, new float[40 * 30])));
    }
}
