using System.Globalization;
using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Renders line charts (training losses against steps) to an <see cref="Image"/>: axes, grid, tick labels, a title
/// and a legend, one colour per series. Lines are drawn antialiased with SkiaSharp; text with <see cref="BitmapFont"/>.
/// Non-finite points (and, with a log scale, non-positive y) break the line instead of spoiling the axis range.
/// </summary>
public static class LinePlot
{
    /// <summary>Matplotlib's "tab10" colours, in order.</summary>
    static readonly SKColor[] Palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf),
    ];

    public static SKColor SeriesColor(int index) => Palette[index % Palette.Length];

    public static Image Render(IReadOnlyDictionary<string, IReadOnlyList<(double X, double Y)>> series, int width = 640, int height = 400,
        string? title = null, bool logY = false)
    {
        if (width < 120 || height < 80) throw new ArgumentOutOfRangeException(nameof(width), $"a plot needs at least 120x80 pixels, got {width}x{height}");
        bool Usable((double X, double Y) p) => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logY || p.Y > 0);
        var points = series.Values.SelectMany(s => s).Where(Usable).ToList();

        // Data range (in log10 units for a log axis), padded a little vertically so lines do not sit on the frame.
        double x0 = points.Count > 0 ? points.Min(p => p.X) : 0, x1 = points.Count > 0 ? points.Max(p => p.X) : 1;
        double y0 = points.Count > 0 ? points.Min(p => Ty(p.Y, logY)) : 0, y1 = points.Count > 0 ? points.Max(p => Ty(p.Y, logY)) : 1;
        if (x1 - x0 <= 0) { x0 -= 1; x1 += 1; }
        if (y1 - y0 <= 0) { y0 -= logY ? 0.5 : Math.Max(1, Math.Abs(y0) * 0.1); y1 += logY ? 0.5 : Math.Max(1, Math.Abs(y1) * 0.1); }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad; y1 += pad;

        var xTicks = NiceTicks(x0, x1, Math.Max(2, (width - 100) / 90));
        var yTicks = logY ? LogTicks(y0, y1) : NiceTicks(y0, y1, Math.Max(2, (height - 80) / 50));
        var xLabels = xTicks.Select(t => Label(t, xTicks)).ToList();
        var yLabels = yTicks.Select(t => logY ? Label(Math.Pow(10, t), null) : Label(t, yTicks)).ToList();

        int lh = BitmapFont.LineHeight;
        int left = 10 + (yLabels.Count > 0 ? yLabels.Max(l => BitmapFont.Measure(l)) : 0) + 6;
        int top = string.IsNullOrEmpty(title) ? 10 : lh + 12;
        int right = 16, bottom = lh + 14;
        var plot = new SKRect(left, top, width - right, height - bottom);
        float Px(double x) => plot.Left + (float)((x - x0) / (x1 - x0)) * plot.Width;
        float Py(double ty) => plot.Bottom - (float)((ty - y0) / (y1 - y0)) * plot.Height;

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var grid = new SKPaint { Color = new SKColor(0xE4, 0xE4, 0xE4), StrokeWidth = 1, IsAntialias = false, Style = SKPaintStyle.Stroke };
            using var axis = new SKPaint { Color = new SKColor(0x30, 0x30, 0x30), StrokeWidth = 1, IsAntialias = false, Style = SKPaintStyle.Stroke };
            foreach (var t in xTicks) { float x = MathF.Round(Px(t)) + 0.5f; canvas.DrawLine(x, plot.Top, x, plot.Bottom, grid); canvas.DrawLine(x, plot.Bottom, x, plot.Bottom + 4, axis); }
            foreach (var t in yTicks) { float y = MathF.Round(Py(t)) + 0.5f; canvas.DrawLine(plot.Left, y, plot.Right, y, grid); canvas.DrawLine(plot.Left - 4, y, plot.Left, y, axis); }
            canvas.DrawRect(plot.Left + 0.5f, plot.Top + 0.5f, plot.Width - 1, plot.Height - 1, axis);

            canvas.Save();
            canvas.ClipRect(plot);
            int index = 0;
            foreach (var (_, values) in series)
            {
                using var stroke = new SKPaint { Color = SeriesColor(index++), StrokeWidth = 1.5f, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeJoin = SKStrokeJoin.Round };
                using var path = new SKPath();
                bool pen = false;
                foreach (var p in values)
                {
                    if (!Usable(p)) { pen = false; continue; }
                    var (px, py) = (Px(p.X), Py(Ty(p.Y, logY)));
                    if (pen) path.LineTo(px, py); else path.MoveTo(px, py);
                    pen = true;
                }
                canvas.DrawPath(path, stroke);
                if (values.Count(Usable) == 1) // a single point draws no line: show a dot
                {
                    var p = values.First(Usable);
                    using var dot = new SKPaint { Color = stroke.Color, IsAntialias = true };
                    canvas.DrawCircle(Px(p.X), Py(Ty(p.Y, logY)), 2.5f, dot);
                }
            }
            canvas.Restore();
        }

        var image = ToImage(bitmap);
        var ink = (0.15f, 0.15f, 0.15f);
        for (int i = 0; i < xTicks.Count; i++)
        {
            int x = (int)MathF.Round(Px(xTicks[i])) - BitmapFont.Measure(xLabels[i]) / 2;
            BitmapFont.Draw(image, xLabels[i], Math.Clamp(x, 0, width - BitmapFont.Measure(xLabels[i])), (int)plot.Bottom + 7, ink);
        }
        for (int i = 0; i < yTicks.Count; i++)
            BitmapFont.Draw(image, yLabels[i], left - 6 - BitmapFont.Measure(yLabels[i]), (int)MathF.Round(Py(yTicks[i])) - BitmapFont.GlyphHeight / 2, ink);
        if (!string.IsNullOrEmpty(title))
        {
            var text = BitmapFont.Fit(title, width - 8);
            BitmapFont.Draw(image, text, (width - BitmapFont.Measure(text)) / 2, 6, (0f, 0f, 0f));
        }
        DrawLegend(image, series.Keys.ToList(), plot);
        return image;
    }

    static double Ty(double y, bool logY) => logY ? Math.Log10(y) : y;

    /// <summary>Legend box in the plot's top-right corner: a colour swatch and the name of each series.</summary>
    static void DrawLegend(Image image, List<string> names, SKRect plot)
    {
        if (names.Count == 0) return;
        int lh = BitmapFont.LineHeight, swatch = 14;
        var labels = names.Select(n => BitmapFont.Fit(n, (int)plot.Width / 2)).ToList();
        int boxW = swatch + 12 + labels.Max(l => BitmapFont.Measure(l)), boxH = labels.Count * lh + 6;
        int bx = (int)plot.Right - boxW - 6, by = (int)plot.Top + 6;
        if (bx < plot.Left) return; // no room
        for (int y = by; y < Math.Min(by + boxH, image.Height); y++)
            for (int x = Math.Max(bx, 0); x < bx + boxW; x++)
                for (int c = 0; c < 3; c++)
                {
                    bool border = y == by || y == by + boxH - 1 || x == bx || x == bx + boxW - 1;
                    image[c, y, x] = border ? 0.75f : 1f;
                }
        for (int i = 0; i < labels.Count; i++)
        {
            var color = SeriesColor(i);
            int ly = by + 3 + i * lh;
            for (int y = ly + lh / 2 - 2; y <= ly + lh / 2; y++)
                for (int x = bx + 4; x < bx + 4 + swatch; x++)
                {
                    if ((uint)y >= image.Height) continue;
                    image[0, y, x] = color.Red / 255f; image[1, y, x] = color.Green / 255f; image[2, y, x] = color.Blue / 255f;
                }
            BitmapFont.Draw(image, labels[i], bx + swatch + 8, ly, (0.1f, 0.1f, 0.1f));
        }
    }

    /// <summary>About <paramref name="target"/> round-numbered ticks (steps of 1, 2 or 5 x 10^k) inside [lo, hi].</summary>
    internal static List<double> NiceTicks(double lo, double hi, int target)
    {
        double raw = (hi - lo) / Math.Max(1, target);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = (raw / mag) switch { < 1.5 => 1, < 3 => 2, < 7 => 5, _ => 10 } * mag;
        var ticks = new List<double>();
        for (double t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return ticks;
    }

    /// <summary>Ticks for a log10 axis (values are log10 units): every decade, or 1-2-5 steps within a short range.</summary>
    static List<double> LogTicks(double lo, double hi)
    {
        var ticks = new List<double>();
        for (double d = Math.Ceiling(lo); d <= hi; d++) ticks.Add(d);
        if (ticks.Count >= 3) return ticks.Count > 8 ? ticks.Where((_, i) => i % ((ticks.Count + 7) / 8) == 0).ToList() : ticks;
        ticks.Clear();
        for (double d = Math.Floor(lo); d <= hi; d++)
            foreach (var m in new[] { 1.0, 2.0, 5.0 })
            {
                double t = d + Math.Log10(m);
                if (t >= lo && t <= hi) ticks.Add(t);
            }
        return ticks.Count >= 2 ? ticks : NiceTicks(lo, hi, 4);
    }

    /// <summary>Short label: as many decimals as the tick step needs, scientific notation for extreme magnitudes.</summary>
    static string Label(double v, List<double>? ticks)
    {
        var inv = CultureInfo.InvariantCulture;
        if (v == 0) return "0";
        double a = Math.Abs(v);
        if (a >= 1e6 || a < 1e-3) return v.ToString("0.##e0", inv);
        if (ticks is { Count: >= 2 })
        {
            double step = Math.Abs(ticks[1] - ticks[0]);
            int decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 6);
            return v.ToString("F" + decimals, inv);
        }
        return v.ToString("0.###", inv);
    }

    static Image ToImage(SKBitmap bitmap)
    {
        int w = bitmap.Width, h = bitmap.Height, n = w * h;
        var px = bitmap.GetPixelSpan(); // RGBA8888, opaque (the canvas was cleared to white)
        var image = new Image(w, h, 3);
        var d = image.Data;
        for (int i = 0; i < n; i++)
        {
            d[i] = px[4 * i] / 255f; d[n + i] = px[4 * i + 1] / 255f; d[2 * n + i] = px[4 * i + 2] / 255f;
        }
        return image;
    }
}
