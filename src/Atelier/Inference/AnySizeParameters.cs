using Atelier.Methods;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.Inference;

/// <summary>
/// The parameters every registered feed-forward method shares for pictures of any size: the shorter side and the
/// longer side's cap rescale on request (<see cref="SizePolicy"/>); the memory budget, an explicit tile side and the
/// tiles' overlap plan the tiles (<see cref="TilingOptions"/>).
/// </summary>
public static class AnySizeParameters
{
    /// <summary>The shorter side, the longer side's cap and the tiling, for a network that needs at least 8 px.</summary>
    public static IReadOnlyList<MethodParameter> All { get; } =
    [
        P.OptionalInt("Size", "Shorter side (px)", 8, SizePolicy.MaxSideLimit, "scale so the shorter side is this many pixels (default: keep the size)"),
        .. For(8),
    ];

    /// <summary>All but the shorter side, which a method with its own Size parameter declares itself.</summary>
    public static IEnumerable<MethodParameter> For(int minimumSide) =>
    [
        P.OptionalInt("MaxSide", "Longest side (px)", minimumSide, SizePolicy.MaxSideLimit,
            "scale down (keeping the aspect ratio) so the longer side is at most this many pixels; default: the picture's own size"),
        P.Text("MaxMemory", "Memory budget",
            help: "memory budget for images and activations, e.g. 512MB or 2GB (default 2GB); larger pictures are processed in overlapping tiles that fit it"),
        P.OptionalInt("Tile", "Tile side (px)", 1, SizePolicy.MaxSideLimit, "tile side in pixels (default: the largest the budget allows)"),
        P.OptionalInt("Overlap", "Tile overlap (px)", 0, TilingOptions.MaxOverlap, "overlap of neighbouring tiles in pixels (default: about the network's receptive field)"),
    ];

    /// <summary>How the picture is rescaled first: Size (its shorter side) and MaxSide, both optional (checked).</summary>
    public static SizePolicy Sizing(MethodValues v, int minimumSide = 8) => new SizePolicy(v.OptionalInt("Size"), v.OptionalInt("MaxSide")).Validate(minimumSide);

    /// <summary>The budget and tiles, checked whether or not the picture turns out to need tiles.</summary>
    public static TilingOptions Tiling(MethodValues v) => new TilingOptions
    {
        MaxMemory = v.OptionalText("MaxMemory") is { } budget ? MemoryBudget.Parse(budget) : null,
        TileSize = v.OptionalInt("Tile"),
        Overlap = v.OptionalInt("Overlap"),
    }.Validate();

    /// <summary>Checks the values before any work (a bad budget is a usage error at once).</summary>
    public static void Validate(MethodValues v) => Validate(v, 8);

    /// <summary><see cref="Validate(MethodValues)"/> for a network that needs at least <paramref name="minimumSide"/> px.</summary>
    public static void Validate(MethodValues v, int minimumSide)
    {
        Sizing(v, minimumSide);
        Tiling(v);
    }
}
