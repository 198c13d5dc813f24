using Atelier.Methods;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.Inference;

/// <summary>
/// The parameters every feed-forward method shares for pictures of any size, as registered parameters: Size (the
/// shorter side) and MaxSide rescale on request (<see cref="SizePolicy"/>); MaxMemory, Tile and Overlap plan the tiles
/// (<see cref="TilingOptions"/>).
/// </summary>
public static class AnySizeParameters
{
    public static IReadOnlyList<MethodParameter> All { get; } =
    [
        P.OptionalInt("Size", "Shorter side (px)", 8, SizePolicy.MaxSideLimit, "scale so the shorter side is this many pixels (default: keep the size)"),
        P.OptionalInt("MaxSide", "Longest side (px)", 8, SizePolicy.MaxSideLimit,
            "scale down (keeping the aspect ratio) so the longer side is at most this many pixels; default: the image's own size"),
        P.Text("MaxMemory", "Memory budget",
            help: "memory budget for images and activations, e.g. 512MB or 2GB (default 2GB); larger images are processed in overlapping tiles that fit it"),
        P.OptionalInt("Tile", "Tile side (px)", 1, SizePolicy.MaxSideLimit, "tile side in pixels (default: the largest the budget allows)"),
        P.OptionalInt("Overlap", "Tile overlap (px)", 0, TilingOptions.MaxOverlap, "overlap of neighbouring tiles in pixels (default: about the network's receptive field)"),
    ];

    /// <summary>How the picture is rescaled (checked).</summary>
    public static SizePolicy Sizing(MethodValues v) => new SizePolicy(v.OptionalInt("Size"), v.OptionalInt("MaxSide")).Validate();

    /// <summary>How the network's pass is cut into tiles (checked, the budget parsed).</summary>
    public static TilingOptions Tiling(MethodValues v) => new TilingOptions
    {
        MaxMemory = v.OptionalText("MaxMemory") is { } mem ? MemoryBudget.Parse(mem) : null,
        TileSize = v.OptionalInt("Tile"),
        Overlap = v.OptionalInt("Overlap"),
    }.Validate();

    /// <summary>Checks the values before any work (a bad budget is a usage error at once).</summary>
    public static void Validate(MethodValues v)
    {
        Sizing(v);
        Tiling(v);
    }
}
