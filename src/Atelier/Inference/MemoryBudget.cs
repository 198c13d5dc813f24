using System.Globalization;
using System.Text.RegularExpressions;

namespace Atelier.Inference;

/// <summary>Parsing and printing memory sizes such as <c>512MB</c>, <c>1.5GB</c>, <c>800M</c> (binary units: 1 MB = 2^20 bytes).</summary>
public static partial class MemoryBudget
{
    /// <summary>Bytes of a size written as a number and an optional unit (B, KB, MB, GB; K, M, G; KiB, MiB, GiB); a bare number is MB.</summary>
    /// <param name="parameter">The option the text is for, named in a usage error (by library name, as a template's <c>{Name}</c>).</param>
    public static long Parse(string text, string parameter = nameof(TilingOptions.MaxMemory))
    {
        var m = SizeRx().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0))
            throw new AtelierUsageException($"{{{parameter}}} {text}: expected a size such as 512MB, 2GB or 800 (MB)");
        double unit = m.Groups[2].Value.ToUpperInvariant() switch
        {
            "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "" or "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            var u => throw new AtelierUsageException($"{{{parameter}}} {text}: unknown unit {u}"),
        };
        return checked((long)(value * unit));
    }

    public static string Format(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("0.##", CultureInfo.InvariantCulture) + " GB"
        : (bytes / (double)(1L << 20)).ToString("0", CultureInfo.InvariantCulture) + " MB";

    [GeneratedRegex(@"^([0-9]*\.?[0-9]+)\s*([A-Za-z]*)$")]
    private static partial Regex SizeRx();
}
