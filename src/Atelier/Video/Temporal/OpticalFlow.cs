using Atelier.Imaging;

namespace Atelier.Video.Temporal;

/// <summary>A dense optical-flow estimator between two frames of one size.</summary>
public interface IOpticalFlow
{
    string Name { get; }

    /// <summary>For each pixel of <paramref name="from"/>, where its content lies in <paramref name="to"/>.</summary>
    FlowField Estimate(Image from, Image to);
}

/// <summary>
/// The motion between two consecutive input frames: both flows, the previous frame warped onto the current one, and
/// how far each pixel's flow can be trusted (0-1).
/// </summary>
public sealed record FrameMotion(FlowField Backward, FlowField Forward, Image WarpedPreviousInput, float[] Reliable)
{
    /// <summary>
    /// Backward (current → previous) and forward (previous → current) flow; trusted where the two agree and the
    /// warped previous frame matches the current one (<see cref="OcclusionMask"/>).
    /// </summary>
    public static FrameMotion Between(IOpticalFlow flow, Image previous, Image current)
    {
        var backward = flow.Estimate(current, previous);
        var forward = flow.Estimate(previous, current);
        var warped = FlowWarp.Warp(previous, backward);
        var reliable = OcclusionMask.DistrustMismatches(OcclusionMask.Consistent(backward, forward), current, warped);
        return new FrameMotion(backward, forward, warped, reliable);
    }

    /// <summary>The previous frame (or its stylised output) brought into the current frame's geometry.</summary>
    public Image WarpPrevious(Image previous) => FlowWarp.Warp(previous, Backward);
}

/// <summary>
/// Where flow estimators come from. OpenCV sits behind this door only: its managed and native libraries are loaded on
/// the first <see cref="Create"/>, so commands that need no flow never touch them.
/// </summary>
public static class OpticalFlow
{
    /// <summary>Gunnar Farnebäck's polynomial-expansion flow (OpenCV), the dense method the OpenCvSharp build exposes.</summary>
    public static IOpticalFlow Create() => FarnebackFlow.Create();

    /// <summary>Whether <see cref="Create"/> will work here (loads OpenCV to find out, once).</summary>
    public static bool Available => LoadError is null;

    /// <summary>Why optical flow is unavailable here, in one line; null when it is available.</summary>
    public static string? LoadError => FarnebackFlow.LoadError.Value;
}
