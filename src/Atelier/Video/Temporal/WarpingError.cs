using Atelier.Imaging;

namespace Atelier.Video.Temporal;

/// <summary>
/// Temporal stability measured against motion (Lai et al. 2018, "Learning Blind Video Temporal Consistency", E_warp):
/// the difference between a frame and the previous frame warped onto it by the input's flow, over the pixels the
/// occlusion mask trusts. Unlike the plain frame-to-frame change, real motion costs nothing, and a frozen video
/// pays for not moving. Here the mean absolute difference per sample in [0,1] (Lai et al. square it), so it reads
/// on the same scale as the frame-to-frame change.
/// </summary>
public static class WarpingError
{
    /// <summary>Mean |current − warped previous| over the trusted pixels and all channels; NaN when none is trusted.</summary>
    public static double Between(Image current, Image warpedPrevious, float[] mask)
    {
        if (current.Width != warpedPrevious.Width || current.Height != warpedPrevious.Height || current.Channels != warpedPrevious.Channels)
            throw new ArgumentException("the warping error compares frames of one size");
        int plane = current.PlaneSize;
        double sum = 0, weight = 0;
        for (int i = 0; i < plane; i++)
        {
            if (mask[i] == 0) continue;
            double d = 0;
            for (int c = 0; c < current.Channels; c++) d += Math.Abs(current.Data[c * plane + i] - warpedPrevious.Data[c * plane + i]);
            sum += mask[i] * d;
            weight += mask[i];
        }
        return weight > 0 ? sum / (weight * current.Channels) : double.NaN;
    }
}
