using System.Globalization;

namespace Atelier.Cli.Infrastructure;

/// <summary>`--style PATH[:WEIGHT]`, one parser for every command that blends styles (gatys transfer, adain stylize).</summary>
public static class StyleSpec
{
    /// <summary>
    /// "path" or "path:weight". The part after the last ':' is a weight when it is a number; when it is not, and the
    /// part before it names a file while the whole does not, the weight was meant and is refused (rather than looking
    /// for a file called "a.jpg:abc").
    /// </summary>
    public static (string Path, double Weight) Parse(string spec, bool positive)
    {
        int colon = spec.LastIndexOf(':');
        if (colon <= 0) return (spec, 1.0);
        var path = spec[..colon];
        var weightText = spec[(colon + 1)..];
        if (double.TryParse(weightText, NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
        {
            if (!double.IsFinite(w) || (positive && !(w > 0)))
                throw new AtelierUsageException($"--style {spec}: the weight must be a {(positive ? "positive" : "finite")} number");
            return (path, w);
        }
        if (!File.Exists(spec) && File.Exists(path))
            throw new AtelierUsageException($"--style {spec}: the weight after ':' must be a number, got '{weightText}'");
        return (spec, 1.0);
    }
}
