using Atelier.Imaging;

namespace Atelier.Video.Temporal;

/// <summary>
/// Backward warping: brings another frame into this frame's geometry by reading it, bilinearly, where this frame's
/// flow says each pixel came from. Written here rather than with OpenCV's remap so it works on Atelier's planar
/// images directly and needs no native call.
/// </summary>
public static class FlowWarp
{
    /// <summary>
    /// <paramref name="source"/> (the other frame) sampled at (x + Dx, y + Dy) for every pixel of <paramref name="flow"/>;
    /// positions outside the source are clamped to its border (the occlusion mask marks them unreliable).
    /// </summary>
    public static Image Warp(Image source, FlowField flow)
    {
        if (source.Width != flow.Width || source.Height != flow.Height)
            throw new ArgumentException($"a {source.Width}x{source.Height} image cannot be warped by a {flow.Width}x{flow.Height} flow");
        int w = source.Width, h = source.Height, plane = w * h;
        var result = new Image(w, h, source.Channels);
        Parallel.For(0, h, y =>
        {
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                var (i00, i10, i01, i11, fx, fy) = Bilinear.Taps(x + flow.Dx[i], y + flow.Dy[i], w, h);
                for (int c = 0; c < source.Channels; c++)
                    result.Data[c * plane + i] = Bilinear.Mix(source.Data.AsSpan(c * plane, plane), i00, i10, i01, i11, fx, fy);
            }
        });
        return result;
    }
}
