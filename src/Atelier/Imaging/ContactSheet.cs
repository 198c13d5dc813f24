namespace Atelier.Imaging;

/// <summary>
/// A grid of images with optional captions under each cell, for training sample grids and style-mixing grids.
/// Images are scaled (antialiased) to fit their cell keeping their aspect ratio, centred; gray and RGBA images
/// are converted to RGB over the background. Captions use <see cref="BitmapFont"/>, word-wrapped to the cell width
/// (up to <c>captionLines</c> lines, then cut with "..").
/// </summary>
public static class ContactSheet
{
    static readonly (float R, float G, float B) White = (1f, 1f, 1f);

    /// <param name="cells">Images in reading order (left to right, then top to bottom) with their captions.</param>
    /// <param name="columns">Cells per row; 0 chooses a near-square grid.</param>
    /// <param name="cellSize">Cell size in pixels; default: the largest image width and height.</param>
    /// <param name="padding">Gap between cells and around the sheet, in pixels.</param>
    /// <param name="background">Sheet colour (white by default); captions are black or white, whichever contrasts.</param>
    /// <param name="captionScale">Caption text size multiplier (1 = 12 px high glyphs).</param>
    /// <param name="captionLines">Most lines a caption may wrap to.</param>
    public static Image Create(IReadOnlyList<(Image Image, string? Caption)> cells, int columns = 0, (int Width, int Height)? cellSize = null,
        int padding = 4, (float R, float G, float B)? background = null, int captionScale = 1, int captionLines = 3)
    {
        if (cells.Count == 0) throw new ArgumentException("a contact sheet needs at least one image", nameof(cells));
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), $"columns must be positive (or 0 for automatic), got {columns}");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"padding must not be negative, got {padding}");
        if (captionScale < 1) throw new ArgumentOutOfRangeException(nameof(captionScale), $"caption scale must be at least 1, got {captionScale}");
        var bg = background ?? White;
        if (columns == 0) columns = (int)Math.Ceiling(Math.Sqrt(cells.Count));
        columns = Math.Min(columns, cells.Count);
        int rows = (cells.Count + columns - 1) / columns;
        var (cellW, cellH) = cellSize ?? (cells.Max(c => c.Image.Width), cells.Max(c => c.Image.Height));
        if (cellW <= 0 || cellH <= 0) throw new ArgumentOutOfRangeException(nameof(cellSize), $"cell size must be positive, got {cellW}x{cellH}");
        if (captionLines < 1) throw new ArgumentOutOfRangeException(nameof(captionLines), $"caption lines must be at least 1, got {captionLines}");
        var captions = cells.Select(c => string.IsNullOrEmpty(c.Caption) ? [] : BitmapFont.Wrap(c.Caption, cellW + padding, captionScale, captionLines)).ToList();
        int lineCount = captions.Max(l => l.Count);
        int band = lineCount > 0 ? lineCount * BitmapFont.LineHeight * captionScale + 2 : 0; // caption band under each cell

        int width = columns * cellW + (columns + 1) * padding;
        int height = rows * (cellH + band) + (rows + 1) * padding;
        var sheet = new Image(width, height, 3);
        sheet.Plane(0).Fill(bg.R); sheet.Plane(1).Fill(bg.G); sheet.Plane(2).Fill(bg.B);
        float luma = 0.299f * bg.R + 0.587f * bg.G + 0.114f * bg.B;
        var ink = luma > 0.5f ? (0f, 0f, 0f) : (1f, 1f, 1f);

        for (int i = 0; i < cells.Count; i++)
        {
            int cx = padding + (i % columns) * (cellW + padding);
            int cy = padding + (i / columns) * (cellH + band + padding);
            var img = Fit(cells[i].Image, cellW, cellH, bg);
            Paste(sheet, img, cx + (cellW - img.Width) / 2, cy + (cellH - img.Height) / 2);
            for (int line = 0; line < captions[i].Count; line++)
            {
                var text = captions[i][line];
                int tx = cx + (cellW - BitmapFont.Measure(text, captionScale)) / 2;
                BitmapFont.Draw(sheet, text, tx, cy + cellH + 2 + line * BitmapFont.LineHeight * captionScale, ink, captionScale);
            }
        }
        return sheet;
    }

    /// <summary>Creates the sheet and writes it (PNG, JPEG or WebP by extension).</summary>
    public static void Save(string path, IReadOnlyList<(Image Image, string? Caption)> cells, int columns = 0, (int Width, int Height)? cellSize = null,
        int padding = 4, (float R, float G, float B)? background = null, int captionScale = 1, int captionLines = 3, int quality = 95) =>
        ImageIO.Save(Create(cells, columns, cellSize, padding, background, captionScale, captionLines), path, quality);

    static Image Fit(Image image, int cellW, int cellH, (float R, float G, float B) bg)
    {
        var rgb = image.Channels == 3 ? image : ImageOps.ToRgb(image, bg);
        if (rgb.Width == cellW && rgb.Height <= cellH || rgb.Height == cellH && rgb.Width <= cellW) return rgb;
        double scale = Math.Min((double)cellW / rgb.Width, (double)cellH / rgb.Height);
        int w = Math.Clamp((int)Math.Round(rgb.Width * scale), 1, cellW), h = Math.Clamp((int)Math.Round(rgb.Height * scale), 1, cellH);
        return ImageResize.Resize(rgb, w, h, scale < 1 ? ResizeFilter.Area : ResizeFilter.Bicubic);
    }

    static void Paste(Image dst, Image src, int x, int y)
    {
        for (int c = 0; c < 3; c++)
            for (int row = 0; row < src.Height; row++)
                Array.Copy(src.Data, (c * src.Height + row) * src.Width, dst.Data, (c * dst.Height + y + row) * dst.Width + x, src.Width);
    }
}
