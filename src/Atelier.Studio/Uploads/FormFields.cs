using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Atelier.Studio.Uploads;

/// <summary>Typed, range-checked reads of a form's text fields; a bad value is a 400 naming the field.</summary>
public sealed class FormFields(IFormCollection form)
{
    public IFormCollection Form { get; } = form;

    public string? String(string name)
    {
        var v = Form[name];
        return v.Count == 0 ? null : v[0];
    }

    public int Int(string name, int fallback, int min, int max)
    {
        var s = String(name);
        if (string.IsNullOrWhiteSpace(s)) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new StudioRequestException(400, $"'{name}': expected a whole number, got '{Trim(s)}'");
        if (v < min || v > max) throw new StudioRequestException(400, $"'{name}': {v} is outside {min}..{max}");
        return v;
    }

    public long Long(string name, long fallback, long min, long max)
    {
        var s = String(name);
        if (string.IsNullOrWhiteSpace(s)) return fallback;
        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new StudioRequestException(400, $"'{name}': expected a whole number, got '{Trim(s)}'");
        if (v < min || v > max) throw new StudioRequestException(400, $"'{name}': {v} is outside {min}..{max}");
        return v;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        var s = String(name);
        if (string.IsNullOrWhiteSpace(s)) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new StudioRequestException(400, $"'{name}': expected a number, got '{Trim(s)}'");
        if (v < min || v > max) throw new StudioRequestException(400, $"'{name}': {v.ToString(CultureInfo.InvariantCulture)} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
        return v;
    }

    public bool Bool(string name, bool fallback)
    {
        var s = String(name);
        if (string.IsNullOrWhiteSpace(s)) return fallback;
        return s.Trim().ToLowerInvariant() switch
        {
            "1" or "true" or "on" or "yes" => true,
            "0" or "false" or "off" or "no" => false,
            _ => throw new StudioRequestException(400, $"'{name}': expected true or false, got '{Trim(s)}'"),
        };
    }

    /// <summary>One of the allowed words (case-insensitive).</summary>
    public string Choice(string name, string fallback, params string[] allowed)
    {
        var s = String(name);
        if (string.IsNullOrWhiteSpace(s)) return fallback;
        var hit = allowed.FirstOrDefault(a => string.Equals(a, s.Trim(), StringComparison.OrdinalIgnoreCase));
        return hit ?? throw new StudioRequestException(400, $"'{name}': expected one of {string.Join(", ", allowed)}, got '{Trim(s)}'");
    }

    static string Trim(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
