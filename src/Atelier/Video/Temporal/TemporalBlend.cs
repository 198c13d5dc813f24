using Atelier.Imaging;

namespace Atelier.Video.Temporal;

/// <summary>How a video run ties each output frame to the previous one.</summary>
public enum TemporalMode
{
    /// <summary>Every frame stylised on its own (with the shared normalisation statistics only).</summary>
    None,
    /// <summary>Blended with the previous output where it stands, without motion: calms flicker, ghosts moving things.</summary>
    Blend,
    /// <summary>
    /// Blended with the previous output warped along the input's optical flow, only where the flow is reliable
    /// (forward-backward consistent); disoccluded and new content comes from the current frame alone.
    /// </summary>
    Motion,
}

/// <summary>The per-frame step of <see cref="TemporalMode.Blend"/> and <see cref="TemporalMode.Motion"/>.</summary>
public static class TemporalBlend
{
    /// <summary>(1 − w)·current + w·previous everywhere, in place on <paramref name="current"/>.</summary>
    public static void Plain(Image current, Image previous, float weight)
    {
        for (int i = 0; i < current.Data.Length; i++) current.Data[i] += weight * (previous.Data[i] - current.Data[i]);
    }

    /// <summary>
    /// current + w·m·(warpedPrevious − current), in place, with m the reliability of each pixel: where the flow is
    /// trusted the output carries the previous output along the motion, elsewhere it is the current frame's own.
    /// </summary>
    public static void Motion(Image current, Image warpedPrevious, float[] reliable, float weight)
    {
        int plane = current.PlaneSize;
        for (int c = 0; c < current.Channels; c++)
        {
            int o = c * plane;
            for (int i = 0; i < plane; i++)
                current.Data[o + i] += weight * reliable[i] * (warpedPrevious.Data[o + i] - current.Data[o + i]);
        }
    }
}
