namespace Atelier.Imaging;

/// <summary>
/// A built-in antialiased monospace font (printable ASCII, 7x12 px cells, rasterised from DejaVu Sans Mono) for
/// captions and plot labels. Built in so output never depends on the system's fonts: SkiaSharp's default typeface
/// is whatever the machine has installed (DejaVu Serif on the development machine) and draws nothing where no
/// fonts are installed (minimal containers), which would silently drop every caption. Characters outside ASCII
/// are drawn as '?'.
/// </summary>
public static partial class BitmapFont
{
    /// <summary>Vertical distance between lines of text at scale 1.</summary>
    public const int LineHeight = GlyphHeight + 2;

    const int FirstChar = 32, LastChar = 126;
    static readonly byte[] Coverage = Convert.FromBase64String(GlyphCoverageBase64);

    /// <summary>Width in pixels of <paramref name="text"/> drawn at <paramref name="scale"/>.</summary>
    public static int Measure(string text, int scale = 1) => text.Length * GlyphWidth * scale;

    /// <summary>
    /// <paramref name="text"/> cut to fit <paramref name="maxWidth"/> pixels, ending in ".." when cut.
    /// </summary>
    public static string Fit(string text, int maxWidth, int scale = 1)
    {
        int max = maxWidth / (GlyphWidth * scale);
        if (text.Length <= max) return text;
        return max <= 2 ? text[..Math.Max(0, max)] : text[..(max - 2)] + "..";
    }

    /// <summary>
    /// Splits <paramref name="text"/> into lines no wider than <paramref name="maxWidth"/>: at explicit newlines, then
    /// between words (a word too long for a line is cut). Beyond <paramref name="maxLines"/> the last line ends in "..".
    /// </summary>
    public static List<string> Wrap(string text, int maxWidth, int scale = 1, int maxLines = 3)
    {
        int max = Math.Max(1, maxWidth / (GlyphWidth * scale));
        var lines = new List<string>();
        foreach (var paragraph in text.Replace("\r", "").Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (candidate.Length <= max) { line = candidate; continue; }
                if (line.Length > 0) lines.Add(line);
                line = word;
                while (line.Length > max) { lines.Add(line[..max]); line = line[max..]; }
            }
            lines.Add(line);
        }
        if (lines.Count > maxLines)
        {
            lines = lines.Take(maxLines).ToList();
            var last = lines[^1];
            lines[^1] = last.Length + 2 <= max ? last + ".." : max > 2 ? last[..(max - 2)] + ".." : last[..Math.Min(last.Length, max)];
        }
        return lines;
    }

    /// <summary>
    /// Draws <paramref name="text"/> with its cell's top-left at (<paramref name="x"/>, <paramref name="y"/>), blending
    /// <paramref name="color"/> by glyph coverage; pixels outside the image are clipped. Gray images get the colour's
    /// luma; RGBA images also become opaque where text is drawn. Each glyph pixel becomes a scale x scale block.
    /// </summary>
    public static void Draw(Image image, string text, int x, int y, (float R, float G, float B) color, int scale = 1)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), $"scale must be at least 1, got {scale}");
        int colorChannels = Math.Min(image.Channels, 3);
        Span<float> rgb = colorChannels == 1
            ? [0.299f * color.R + 0.587f * color.G + 0.114f * color.B]
            : [color.R, color.G, color.B];
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            int glyph = (ch is >= (char)FirstChar and <= (char)LastChar ? ch : '?') - FirstChar;
            int gx0 = x + i * GlyphWidth * scale;
            if (gx0 >= image.Width) break;
            if (gx0 + GlyphWidth * scale <= 0) continue;
            for (int gy = 0; gy < GlyphHeight; gy++)
                for (int gx = 0; gx < GlyphWidth; gx++)
                {
                    byte cover = Coverage[(glyph * GlyphHeight + gy) * GlyphWidth + gx];
                    if (cover == 0) continue;
                    float a = cover / 255f;
                    for (int sy = 0; sy < scale; sy++)
                    {
                        int py = y + gy * scale + sy;
                        if ((uint)py >= (uint)image.Height) continue;
                        for (int sx = 0; sx < scale; sx++)
                        {
                            int px = gx0 + gx * scale + sx;
                            if ((uint)px >= (uint)image.Width) continue;
                            for (int c = 0; c < colorChannels; c++)
                            {
                                ref float v = ref image.Data[(c * image.Height + py) * image.Width + px];
                                v += (rgb[c] - v) * a;
                            }
                            if (image.Channels == 4)
                            {
                                ref float alpha = ref image.Data[(3 * image.Height + py) * image.Width + px];
                                alpha += (1f - alpha) * a;
                            }
                        }
                    }
                }
        }
    }
}
