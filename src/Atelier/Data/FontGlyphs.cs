using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Atelier.Imaging;
using Atelier.IO;
using Atelier.Runtime;
using SkiaSharp;

namespace Atelier.Data;

/// <summary>Options of <see cref="FontGlyphs.Collect"/>.</summary>
public sealed record FontGlyphsOptions
{
    /// <summary>The file-system root to look under (the machine's own "/" by default; a folder in tests).</summary>
    public string Root { get; init; } = "/";

    /// <summary>Side of each glyph picture in pixels.</summary>
    public int Size { get; init; } = 32;

    /// <summary>The characters drawn from every font; a font that lacks one of them is skipped.</summary>
    public string Letters { get; init; } = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>Every N-th typeface family, in name order, goes to test/ with all its fonts (0 = none held out).</summary>
    public int HoldOutEvery { get; init; } = 10;

    /// <summary>The fraction of the side that a font's tallest or widest letter spans.</summary>
    public double Fill { get; init; } = 0.8;

    /// <summary>Only fonts of these families (as ATTRIBUTION.tsv names them), e.g. one style of type per dataset; null: every font.</summary>
    public IReadOnlySet<string>? Families { get; init; }
}

/// <summary>What <see cref="FontGlyphs.Collect"/> wrote.</summary>
public sealed record FontGlyphsResult(int TrainFonts, int TestFonts, int Images, int Duplicates,
    IReadOnlyList<(string File, string Reason)> Skipped, string Attribution)
{
    /// <summary>Families asked for (<see cref="FontGlyphsOptions.Families"/>) that no usable font on the machine belongs to.</summary>
    public IReadOnlyList<string> MissingFamilies { get; init; } = [];
}

/// <summary>
/// Letters drawn from the fonts Debian packages install, one picture per letter and font, dark on white: a dataset
/// whose coarse structure (which letter) and fine detail (which typeface) a StyleGAN can learn apart. All letters of
/// one font share one scale and one baseline, so a font's proportions survive; the scale makes its largest letter span
/// <see cref="FontGlyphsOptions.Fill"/> of the side. Whole families are held out, so test/ has typefaces never seen in
/// training. Fonts that render identically to one already taken are dropped. Nothing is downloaded: what is there
/// comes from `apt-get install`, and ATTRIBUTION.tsv names each font's package and licences.
/// </summary>
public static class FontGlyphs
{
    /// <summary>Where packages install fonts.</summary>
    public const string Place = "usr/share/fonts";

    static readonly string[] Extensions = [".ttf", ".otf"];

    /// <summary>The font files under <paramref name="root"/>, in a stable order.</summary>
    public static List<string> Find(string root)
    {
        var dir = Path.Combine(root, Place);
        if (!Directory.Exists(dir)) return [];
        return Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes train/ and test/ PNGs (FONT_LETTER.png), ATTRIBUTION.tsv and SKIPPED.tsv into <paramref name="output"/>.</summary>
    public static FontGlyphsResult Collect(string output, FontGlyphsOptions? options = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        options ??= new FontGlyphsOptions();
        if (options.Size is < 8 or > 1024) throw new AtelierUsageException($"{{Size}} {options.Size}: must be 8 to 1024");
        if (options.Letters.Length == 0) throw new AtelierUsageException("{Letters}: give at least one character");
        if (options.HoldOutEvery < 0 || options.HoldOutEvery == 1) throw new AtelierUsageException($"{{HoldOutEvery}} {options.HoldOutEvery}: must be 0 (none) or 2 or more");
        if (options.Fill is <= 0 or > 1) throw new AtelierUsageException($"{{Fill}} {options.Fill}: must be above 0 and at most 1");
        if (options.Families is { Count: 0 }) throw new AtelierUsageException("{Families}: list at least one family");
        var files = Find(options.Root);
        if (files.Count == 0)
            throw new AtelierException($"no fonts under {Path.Combine(options.Root, Place)}; install some, e.g. apt-get install fonts-urw-base35 fonts-adf-accanthis");

        // First pass: draw every font, keep those that have every letter and differ from the ones before.
        var skipped = new List<(string, string)>();
        var fonts = new List<(string File, string Family, string Style, Image[] Glyphs)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int duplicates = 0;
        for (int i = 0; i < files.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            progress?.Report(new ProgressReport(i + 1, files.Count, "fonts"));
            var drawn = Draw(files[i], options, out var reason);
            if (drawn is null) { skipped.Add((files[i], reason!)); continue; }
            if (options.Families is { } only && !only.Contains(drawn.Value.Family)) continue;
            if (!seen.Add(Fingerprint(drawn.Value.Glyphs))) { duplicates++; continue; }
            fonts.Add((files[i], drawn.Value.Family, drawn.Value.Style, drawn.Value.Glyphs));
        }

        // Families held out by position in name order, so every machine with the same packages holds out the same.
        var families = fonts.Select(f => f.Family).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var heldOut = options.HoldOutEvery == 0 ? [] :
            families.Where((_, k) => (k + 1) % options.HoldOutEvery == 0).ToHashSet(StringComparer.Ordinal);
        var owners = PackageIndex.Read(options.Root);
        Directory.CreateDirectory(Path.Combine(output, "train"));
        if (heldOut.Count > 0) Directory.CreateDirectory(Path.Combine(output, "test"));
        var rows = new List<string> { "font\tsplit\tfamily\tstyle\tpackage\tversion\tinstalled as\tlicences (package copyright)\tcopyright file" };
        var names = new HashSet<string>(StringComparer.Ordinal);
        int trainFonts = 0, testFonts = 0, images = 0;
        foreach (var (file, family, style, glyphs) in fonts)
        {
            ct.ThrowIfCancellationRequested();
            var stem = PackagedPictures.Slug(Path.GetFileNameWithoutExtension(file));
            var name = stem;
            for (int k = 2; !names.Add(name); k++) name = $"{stem}-{k}";
            bool test = heldOut.Contains(family);
            var split = test ? "test" : "train";
            for (int l = 0; l < glyphs.Length; l++)
                ImageIO.Save(glyphs[l], Path.Combine(output, split, $"{name}_{LetterName(options.Letters[l])}.png"));
            images += glyphs.Length;
            if (test) testFonts++; else trainFonts++;
            var relative = "/" + Path.GetRelativePath(options.Root, file).Replace('\\', '/');
            var owner = owners.Owner(relative);
            rows.Add(string.Join('\t', name, split, family, style, owner?.Package ?? "", owner?.Version ?? "", relative,
                owner is null ? "" : string.Join(" / ", owners.Licences(owner.Package)),
                owner is null ? "" : $"/usr/share/doc/{owner.Package}/copyright"));
        }
        var attribution = Path.Combine(output, "ATTRIBUTION.tsv");
        AtomicFile.WriteAllText(attribution, string.Join('\n', rows) + "\n");
        // Fonts without the letters (symbol, math and other scripts' fonts) are expected; the list says which and why.
        AtomicFile.WriteAllText(Path.Combine(output, "SKIPPED.tsv"),
            string.Join('\n', skipped.Select(s => $"{s.Item1}\t{s.Item2}").Prepend("font file\treason")) + "\n");
        return new FontGlyphsResult(trainFonts, testFonts, images, duplicates, skipped, attribution)
        {
            MissingFamilies = options.Families is null ? [] : [.. options.Families.Except(families, StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>The SHA-256 of a font's drawn letters: equal for fonts that draw identically.</summary>
    static string Fingerprint(Image[] glyphs)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var g in glyphs) sha.AppendData(MemoryMarshal.AsBytes(g.Data.AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>A letter as a file-name part: the letter itself, or its code point where case would clash or it is no letter.</summary>
    static string LetterName(char c) => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) ? c.ToString() :
        char.IsAsciiLetterLower(c) ? "small-" + c : $"u{(int)c:X4}";

    /// <summary>Every letter of one font, or null and why not.</summary>
    internal static (string Family, string Style, Image[] Glyphs)? Draw(string file, FontGlyphsOptions o, out string? reason)
    {
        reason = null;
        using var typeface = SKTypeface.FromFile(file);
        if (typeface is null) { reason = "not a font SkiaSharp reads"; return null; }
        // Outlines at a large size, scaled down once: the letters' bounds are then exact enough to share one scale.
        using var font = new SKFont(typeface, 256);
        var glyphIds = font.GetGlyphs(o.Letters);
        var missing = o.Letters.Where((_, k) => glyphIds[k] == 0).ToArray();
        if (missing.Length > 0) { reason = $"has no glyph for {new string(missing)}"; return null; }
        var paths = glyphIds.Select(g => font.GetGlyphPath(g)).ToArray();
        try
        {
            var empty = o.Letters.Where((_, k) => paths[k] is null || paths[k].IsEmpty || paths[k].TightBounds.Width <= 0 || paths[k].TightBounds.Height <= 0).ToArray();
            if (empty.Length > 0) { reason = $"draws nothing for {new string(empty)}"; return null; }
            // Symbol fonts (dingbats, TeX's math extension fonts) put one shape at several letters.
            if (paths.Select(p => p.ToSvgPathData()).Distinct(StringComparer.Ordinal).Count() < paths.Length)
            { reason = "draws the same shape for two letters (a symbol font)"; return null; }
            var bounds = paths.Select(p => p.TightBounds).ToArray();
            float top = bounds.Min(b => b.Top), bottom = bounds.Max(b => b.Bottom), widest = bounds.Max(b => b.Width);
            float scale = (float)(o.Fill * o.Size / Math.Max(bottom - top, widest));
            var glyphs = new Image[paths.Length];
            for (int k = 0; k < paths.Length; k++)
            {
                // One baseline for the font (its letters' joint height centred), each letter centred across.
                float dx = (o.Size - bounds[k].Width * scale) / 2 - bounds[k].Left * scale;
                float dy = (o.Size - (bottom - top) * scale) / 2 - top * scale;
                glyphs[k] = Render(paths[k], o.Size, scale, dx, dy);
            }
            var style = typeface.FontStyle;
            return (typeface.FamilyName, $"weight {style.Weight}, {style.Slant.ToString().ToLowerInvariant()}, width {style.Width}", glyphs);
        }
        finally { foreach (var p in paths) p?.Dispose(); }
    }

    static Image Render(SKPath path, int size, float scale, float dx, float dy)
    {
        var info = new SKImageInfo(size, size, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Fill })
        {
            canvas.Clear(SKColors.White);
            canvas.Translate(dx, dy);
            canvas.Scale(scale);
            canvas.DrawPath(path, paint);
        }
        var bytes = bitmap.Bytes;
        var image = new Image(size, size, 3);
        int n = size * size;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float v = bytes[y * bitmap.RowBytes + x] / 255f;
                int i = y * size + x;
                image.Data[i] = v; image.Data[n + i] = v; image.Data[2 * n + i] = v;
            }
        return image;
    }
}
