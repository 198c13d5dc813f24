using System.Globalization;

namespace Atelier.Bench;

/// <summary>--name value options for benchmarks.</summary>
sealed class BenchArgs(string[] args)
{
    public string? Get(string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public bool Has(string name) => args.Contains(name);

    public int Int(string name, int fallback) => Get(name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;

    public int[] Ints(string name, int[] fallback) =>
        Get(name) is { } s ? [.. s.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))] : fallback;
}
