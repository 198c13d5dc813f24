namespace Atelier.Imaging;

/// <summary>
/// The axes along which an image is made to wrap around, so that copies laid side by side (Horizontal), one above
/// the other (Vertical) or both meet without a seam.
/// </summary>
[Flags]
public enum TileAxes
{
    None = 0,
    /// <summary>The last column continues into the first: copies tile left to right.</summary>
    Horizontal = 1,
    /// <summary>The last row continues into the first: copies tile top to bottom.</summary>
    Vertical = 2,
    Both = Horizontal | Vertical,
}

/// <summary>The words people use for <see cref="TileAxes"/>: none, x, y, both.</summary>
public static class TileAxesText
{
    /// <summary>Every word, in the order front ends list them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "x", "y", "both"];

    public static string Name(this TileAxes axes) => axes switch
    {
        TileAxes.None => "none",
        TileAxes.Horizontal => "x",
        TileAxes.Vertical => "y",
        TileAxes.Both => "both",
        _ => throw new ArgumentOutOfRangeException(nameof(axes), axes, null),
    };

    /// <summary>"none", "x", "y" or "both" (case ignored); null when the word is none of them.</summary>
    public static TileAxes? Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => TileAxes.None,
        "x" => TileAxes.Horizontal,
        "y" => TileAxes.Vertical,
        "both" => TileAxes.Both,
        _ => null,
    };
}
