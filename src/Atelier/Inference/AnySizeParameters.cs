using Atelier.Methods;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.Inference;

/// <summary>
/// The parameters every registered feed-forward method shares for pictures of any size: the longer side's cap, the
/// memory budget that picks the tile size, an explicit tile side and the tiles' overlap; and the policies they make.
/// The method names its own shorter-side parameter Size.
/// </summary>
public static class AnySizeParameters
{
    public static IEnumerable<MethodParameter> For(int minimumSide) =>
    [
        P.OptionalInt("MaxSide", "Longest side (px)", minimumSide, SizePolicy.MaxSideLimit,
            "scale down (keeping the aspect ratio) so the longer side is at most this many pixels; default: the picture's own size"),
        P.Text("MaxMemory", "Memory budget",
            help: "memory budget for images and activations, e.g. 512MB or 2GB (default 2GB); larger pictures are processed in overlapping tiles that fit it"),
        P.OptionalInt("Tile", "Tile side (px)", 1, SizePolicy.MaxSideLimit, "tile side in pixels (default: the largest the budget allows)"),
        P.OptionalInt("Overlap", "Tile overlap (px)", 0, TilingOptions.MaxOverlap, "overlap of neighbouring tiles in pixels (default: about the network's receptive field)"),
    ];

    /// <summary>How the picture is rescaled first: Size (its shorter side) and MaxSide, both optional.</summary>
    public static SizePolicy Sizing(MethodValues v, int minimumSide) => new SizePolicy(v.OptionalInt("Size"), v.OptionalInt("MaxSide")).Validate(minimumSide);

    /// <summary>The budget and tiles, checked whether or not the picture turns out to need tiles.</summary>
    public static TilingOptions Tiling(MethodValues v) => new TilingOptions
    {
        MaxMemory = v.OptionalText("MaxMemory") is { } budget ? MemoryBudget.Parse(budget) : null,
        TileSize = v.OptionalInt("Tile"),
        Overlap = v.OptionalInt("Overlap"),
    }.Validate();
}
