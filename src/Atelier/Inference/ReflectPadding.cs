using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Inference;

/// <summary>
/// Bringing any image size to a network's multiple by reflection, and back: every feed-forward network here
/// (TransformerNet, the pix2pix/CycleGAN generators, the AdaIN/WCT encoder-decoders) needs sides that are multiples
/// of 2^downsamplings to return an image of the same size.
/// </summary>
public static class ReflectPadding
{
    /// <summary>Padding before and after to bring <paramref name="size"/> up to a multiple of <paramref name="multiple"/> (split evenly).</summary>
    public static (int Before, int After) PadFor(long size, int multiple)
    {
        if (multiple < 1) throw new ArgumentOutOfRangeException(nameof(multiple));
        long target = Math.Max(multiple, (size + multiple - 1) / multiple * multiple);
        int total = (int)(target - size);
        return (total / 2, total - total / 2);
    }

    /// <summary>The smallest multiple of <paramref name="multiple"/> that holds <paramref name="size"/>.</summary>
    public static int RoundUp(long size, int multiple) => (int)Math.Max(multiple, (size + multiple - 1) / multiple * multiple);

    /// <summary>
    /// Reflection padding of any amount: libtorch's reflect pad must be smaller than the side, so large pads
    /// (a 100 px image going to 256) are done in steps, each reflecting the already padded image.
    /// </summary>
    public static Tensor ReflectPad(Tensor x, int left, int right, int top, int bottom)
    {
        var current = x.alias();
        while (left + right + top + bottom > 0)
        {
            long h = current.shape[2], w = current.shape[3];
            int l = (int)Math.Min(left, w - 1), r = (int)Math.Min(right, w - 1);
            int t = (int)Math.Min(top, h - 1), b = (int)Math.Min(bottom, h - 1);
            if (l + r + t + b == 0) // a 1-pixel side cannot reflect: repeat the edge instead
            {
                current = nn.functional.pad(current, [left, right, top, bottom], PaddingModes.Replicate);
                break;
            }
            current = nn.functional.pad(current, [l, r, t, b], PaddingModes.Reflect);
            left -= l; right -= r; top -= t; bottom -= b;
        }
        return current;
    }

    /// <summary>
    /// The source index that position <paramref name="i"/> (any integer) of a reflection-padded axis of length
    /// <paramref name="n"/> reads: 2, 1, 0, 1, 2, ..., n−1, n−2, ... (no edge repeat, as torch's reflect, and as
    /// repeated reflection of an already padded image gives for large pads).
    /// </summary>
    public static int Mirror(long i, int n)
    {
        if (n == 1) return 0;
        long period = 2L * (n - 1);
        long m = ((i % period) + period) % period;
        return (int)(m < n ? m : period - m);
    }
}
