using System.Text.Json;

namespace Atelier.Checkpoints;

/// <summary>
/// The <c>__metadata__</c> convention of Atelier's own model files: the architecture name and its
/// hyperparameters (JSON), so a safetensors file alone is enough to rebuild its network.
/// </summary>
public static class ModelMetadata
{
    /// <summary>Metadata key holding the architecture name (e.g. "stylegan2-generator").</summary>
    public const string ArchitectureKey = "atelier.architecture";

    /// <summary>Metadata key holding the hyperparameters as a JSON object.</summary>
    public const string HyperparametersKey = "atelier.hyperparameters";

    /// <summary>Metadata key holding the Atelier version that wrote the file.</summary>
    public const string VersionKey = "atelier.version";

    /// <summary>Metadata for a model of <paramref name="architecture"/> built with <paramref name="hyperparameters"/>.</summary>
    public static Dictionary<string, string> Create(string architecture, object hyperparameters, IReadOnlyDictionary<string, string>? extra = null)
    {
        var md = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ArchitectureKey] = architecture,
            [HyperparametersKey] = JsonSerializer.Serialize(hyperparameters, hyperparameters.GetType()),
            [VersionKey] = typeof(ModelMetadata).Assembly.GetName().Version?.ToString() ?? "0",
        };
        if (extra != null) foreach (var (k, v) in extra) md[k] = v;
        return md;
    }

    /// <summary>The architecture name recorded in <paramref name="metadata"/>, or null.</summary>
    public static string? Architecture(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(ArchitectureKey, out var a) ? a : null;

    /// <summary>The hyperparameters recorded in <paramref name="metadata"/> deserialised as <typeparamref name="T"/>.</summary>
    public static T Hyperparameters<T>(IReadOnlyDictionary<string, string> metadata, string file)
    {
        if (!metadata.TryGetValue(HyperparametersKey, out var json))
            throw new AtelierException($"{file}: no {HyperparametersKey} in the file's metadata");
        try { return JsonSerializer.Deserialize<T>(json) ?? throw new AtelierException($"{file}: empty {HyperparametersKey}"); }
        catch (JsonException e) { throw new AtelierException($"{file}: invalid {HyperparametersKey}: {e.Message}"); }
    }
}
