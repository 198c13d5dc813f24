using Atelier.Imaging;

namespace Atelier.Video.Temporal;

/// <summary>
/// Where a flow can be trusted, by forward-backward consistency (Sundaram et al. 2010, as used by Ruder et al. 2016):
/// following the backward flow from a pixel of the current frame and then the forward flow back should return to
/// the start. Where it does not, the pixel was hidden in the previous frame (disocclusion) or the flow is wrong;
/// where the backward flow leaves the frame, the content is new.
/// </summary>
public static class OcclusionMask
{
    /// <summary>
    /// 1 where the pixel of the current frame is reliably seen in the previous one, 0 elsewhere.
    /// <paramref name="backward"/> maps current to previous, <paramref name="forward"/> previous to current; the test is
    /// |b + f|² ≤ 0.01 (|b|² + |f|²) + 0.5, with f read at the pixel b points to.
    /// </summary>
    public static float[] Consistent(FlowField backward, FlowField forward)
    {
        if (backward.Width != forward.Width || backward.Height != forward.Height)
            throw new ArgumentException("the two flows of a consistency check must have one size");
        int w = backward.Width, h = backward.Height;
        var mask = new float[w * h];
        Parallel.For(0, h, y =>
        {
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float bx = backward.Dx[i], by = backward.Dy[i];
                float px = x + bx, py = y + by;
                if (!Bilinear.Inside(px, py, w, h)) continue;
                var (fx, fy) = forward.Sample(px, py);
                float sx = bx + fx, sy = by + fy;
                mask[i] = sx * sx + sy * sy <= 0.01f * (bx * bx + by * by + fx * fx + fy * fy) + 0.5f ? 1 : 0;
            }
        });
        return mask;
    }

    /// <summary>
    /// Brightness constancy on top: where the previous input frame, warped by the flow, does not match the current
    /// one, the flow is wrong there whatever its consistency says. Farnebäck's flow is smooth across motion edges,
    /// so a strip a moving object has just uncovered can be consistent both ways and still be the object's colour a
    /// frame ago; this catches it. Full trust up to a mean channel difference of <see cref="MatchFull"/>, none from
    /// <see cref="MatchNone"/>, linear in between (no hard seams in a blended output). In place; returns the mask.
    /// </summary>
    public static float[] DistrustMismatches(float[] mask, Image current, Image warpedPrevious)
    {
        int plane = current.PlaneSize, channels = current.Channels;
        for (int i = 0; i < plane; i++)
        {
            if (mask[i] == 0) continue;
            float d = 0;
            for (int c = 0; c < channels; c++) d += Math.Abs(current.Data[c * plane + i] - warpedPrevious.Data[c * plane + i]);
            d /= channels;
            mask[i] *= Math.Clamp((MatchNone - d) / (MatchNone - MatchFull), 0, 1);
        }
        return mask;
    }

    /// <summary>Differences (of samples in [0,1]) trusted fully: sensor noise and bilinear resampling of fine texture.</summary>
    public const float MatchFull = 0.03f;
    /// <summary>Differences not trusted at all: a different surface.</summary>
    public const float MatchNone = 0.10f;

    /// <summary>Share of reliable pixels.</summary>
    public static double Coverage(float[] mask) => mask.Length == 0 ? 0 : mask.Sum(v => (double)v) / mask.Length;
}
