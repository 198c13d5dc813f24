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

    /// <summary>Share of reliable pixels.</summary>
    public static double Coverage(float[] mask) => mask.Length == 0 ? 0 : mask.Sum(v => (double)v) / mask.Length;
}
