using System.Globalization;

namespace Atelier.Training;

/// <summary>
/// The random source for data order, crops, flips and the image pool: xoshiro256** with a state that can be
/// saved in a checkpoint and restored, so a resumed run draws exactly what an uninterrupted one would.
/// (System.Random's state cannot be saved; torch's generator, used for dropout and init, is saved separately.)
/// </summary>
public sealed class TrainingRandom
{
    ulong _s0, _s1, _s2, _s3;

    public TrainingRandom(long seed)
    {
        // SplitMix64 spreads the seed over the four state words (the xoshiro authors' recommendation).
        ulong x = unchecked((ulong)seed);
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        return (int)(NextDouble() * n);
    }

    /// <summary>A fair coin.</summary>
    public bool NextBool() => (NextUInt64() >> 63) != 0;

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The state as text, for checkpoint metadata.</summary>
    public string SaveState() => string.Join(",", new[] { _s0, _s1, _s2, _s3 }.Select(v => v.ToString("x16", CultureInfo.InvariantCulture)));

    public void LoadState(string state)
    {
        var parts = state.Split(',');
        if (parts.Length != 4) throw new AtelierException($"bad random state '{state}' in checkpoint");
        var v = parts.Select(p => ulong.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        (_s0, _s1, _s2, _s3) = (v[0], v[1], v[2], v[3]);
    }
}
