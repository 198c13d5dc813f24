using Atelier.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// Latent codes on disk: a safetensors or PyTorch file holding one tensor, (n, dim) for z or w or
/// (n, n_latent, dim) for w+. Atelier writes safetensors with the space in the metadata.
/// </summary>
public static class LatentFile
{
    static readonly string[] PreferredNames = { "latent", "latents", "w", "wplus", "w_plus", "z" };

    /// <summary>Reads the codes and checks them against <paramref name="generator"/> and <paramref name="space"/>; w+ files may also hold (n, dim), repeated per layer.</summary>
    public static Tensor Load(string path, LatentSpace space, Generator generator)
    {
        if (!File.Exists(path)) throw new AtelierException($"latents file '{path}' does not exist");
        using var all = Checkpoint.Load(path);
        Tensor? chosen = all.Count == 1 ? all.Values.First()
            : PreferredNames.Select(n => all.TryGetValue(n, out var t) ? t : null).FirstOrDefault(t => t is not null);
        if (chosen is null)
            throw new AtelierException($"latents file '{path}' holds {all.Count} tensors ({string.Join(", ", all.Keys.Take(8))}); expected one (or one named latent, w, wplus or z)");
        var latent = chosen.to(float32).clone();
        string shape = $"({string.Join(", ", latent.shape)})";
        if (space == LatentSpace.WPlus)
        {
            if (latent.dim() == 3 && latent.shape[1] == generator.NLatent && latent.shape[2] == generator.StyleDim) return latent;
            if (latent.dim() == 2 && latent.shape[1] == generator.StyleDim) return generator.Broadcast(latent);
            throw new AtelierException($"latents file '{path}' holds {shape}; w+ codes for this generator are (n, {generator.NLatent}, {generator.StyleDim})");
        }
        if (latent.dim() == 1 && latent.shape[0] == generator.StyleDim) return latent.unsqueeze(0);
        if (latent.dim() == 2 && latent.shape[1] == generator.StyleDim) return latent;
        // A failure of the file, not a usage error, though the hint names the parameter that reads it as w+.
        throw AtelierException.Naming($"latents file '{path}' holds {shape}; {(space == LatentSpace.Z ? "z" : "w")} codes for this generator are (n, {generator.StyleDim})" +
            (latent.dim() == 3 ? " (is it a w+ file? use {Space} w+)" : ""));
    }

    /// <summary>Writes codes as safetensors (key `latent`, metadata space and generator size).</summary>
    public static void Save(string path, Tensor latent, LatentSpace space, Generator generator) =>
        Save(path, latent, space, generator.Size, generator.StyleDim);

    /// <summary>The same, for a generator of <paramref name="size"/> px and <paramref name="styleDim"/> no longer at hand.</summary>
    public static void Save(string path, Tensor latent, LatentSpace space, int size, int styleDim)
    {
        using var cpu = latent.detach().to(float32).cpu().contiguous();
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["latent"] = cpu }, new Dictionary<string, string>
        {
            ["space"] = SpaceName(space),
            ["size"] = size.ToString(),
            ["style_dim"] = styleDim.ToString(),
        });
    }

    public static string SpaceName(LatentSpace space) => space switch { LatentSpace.Z => "z", LatentSpace.W => "w", _ => "w+" };

    /// <summary>Parses z, w or w+ (also wplus, w_plus), or throws a usage error naming <paramref name="parameter"/> (a library name such as Space).</summary>
    public static LatentSpace ParseSpace(string? text, string parameter = "Space") => text?.Trim().ToLowerInvariant() switch
    {
        "z" => LatentSpace.Z,
        "w" => LatentSpace.W,
        "w+" or "wplus" or "w_plus" => LatentSpace.WPlus,
        _ => throw new AtelierUsageException($"{{{parameter}}} {text}: expected z, w or w+"),
    };
}
