using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Inference;

namespace Atelier.Cli.Commands;

/// <summary>
/// The options every feed-forward command shares for images of any size: --max-side (scale down on request),
/// --max-memory (the budget that picks the tile size), --tile and --overlap (explicit tiling).
/// </summary>
public sealed class AnySizeCliOptions
{
    public Option<int?> MaxSide { get; } = new("--max-side") { Description = "Scale down (keeping the aspect ratio) so the longer side is at most this many pixels; default: the image's own size" };
    public Option<string?> MaxMemory { get; } = new("--max-memory") { Description = "Memory budget for images and activations, e.g. 512MB or 2GB (default 2GB); larger images are processed in overlapping tiles that fit it" };
    public Option<int?> Tile { get; } = new("--tile") { Description = "Tile side in pixels (default: the largest the budget allows)" };
    public Option<int?> Overlap { get; } = new("--overlap") { Description = "Overlap of neighbouring tiles in pixels (default: about the network's receptive field)" };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(MaxSide);
        cmd.Options.Add(MaxMemory);
        cmd.Options.Add(Tile);
        cmd.Options.Add(Overlap);
    }

    public TilingOptions Tiling(CliContext ctx)
    {
        var mem = ctx.Get(MaxMemory);
        int? tile = ctx.Get(Tile), overlap = ctx.Get(Overlap);
        // Checked before any work, whether or not the picture turns out to need tiles.
        return new TilingOptions { MaxMemory = mem is null ? null : MemoryBudget.Parse(mem), TileSize = tile, Overlap = overlap }.Validate();
    }

    public SizePolicy Size(CliContext ctx, int? shorterSide, int minimum = 8) =>
        new SizePolicy(shorterSide, ctx.Get(MaxSide)).Validate(minimum);
}
