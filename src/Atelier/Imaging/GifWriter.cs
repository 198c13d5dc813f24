using Atelier.IO;

namespace Atelier.Imaging;

/// <summary>
/// Animated GIF (GIF89a) encoding, which SkiaSharp cannot write: one 256-colour palette for all frames by median
/// cut over their pixels, nearest-colour mapping, LZW compression, looping forever.
/// </summary>
public static class GifWriter
{
    /// <summary>Writes <paramref name="frames"/> (same size, RGB or gray) to <paramref name="path"/> atomically.</summary>
    /// <param name="delayMs">Time each frame shows (GIF stores hundredths of a second).</param>
    public static void Save(IReadOnlyList<Image> frames, string path, int delayMs = 100) =>
        AtomicFile.WriteAllBytes(path, Encode(frames, delayMs));

    public static byte[] Encode(IReadOnlyList<Image> frames, int delayMs = 100)
    {
        if (frames.Count == 0) throw new ArgumentException("a GIF needs at least one frame", nameof(frames));
        int width = frames[0].Width, height = frames[0].Height;
        if (width > ushort.MaxValue || height > ushort.MaxValue) throw new ArgumentException($"GIF frames are at most 65535 px, got {width}x{height}");
        var rgb = frames.Select(f =>
        {
            if (f.Width != width || f.Height != height) throw new ArgumentException($"GIF frames must share one size: {width}x{height} vs {f.Width}x{f.Height}");
            return ToBytes(f.Channels == 3 ? f : ImageOps.ToRgb(f));
        }).ToList();
        var palette = MedianCut(rgb, 256);

        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        w.Write("GIF89a"u8);
        w.Write((ushort)width); w.Write((ushort)height);
        w.Write((byte)0xF7); // global colour table, 8 bits colour resolution, 256 entries
        w.Write((byte)0); w.Write((byte)0);
        for (int i = 0; i < 256; i++)
        {
            var (r, g, b) = i < palette.Count ? palette[i] : ((byte)0, (byte)0, (byte)0);
            w.Write(r); w.Write(g); w.Write(b);
        }
        // NETSCAPE2.0 application extension: loop forever.
        w.Write(new byte[] { 0x21, 0xFF, 0x0B }); w.Write("NETSCAPE2.0"u8); w.Write(new byte[] { 3, 1, 0, 0, 0 });
        var cache = new Dictionary<int, byte>();
        ushort delay = (ushort)Math.Clamp((delayMs + 5) / 10, 1, ushort.MaxValue);
        foreach (var frame in rgb)
        {
            w.Write(new byte[] { 0x21, 0xF9, 4, 0x04 }); w.Write(delay); w.Write((byte)0); w.Write((byte)0); // graphic control: keep frame
            w.Write((byte)0x2C); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)width); w.Write((ushort)height); w.Write((byte)0);
            var indices = new byte[width * height];
            for (int p = 0; p < indices.Length; p++)
            {
                int key = (frame[3 * p] << 16) | (frame[3 * p + 1] << 8) | frame[3 * p + 2];
                if (!cache.TryGetValue(key, out var index)) cache[key] = index = Nearest(palette, frame[3 * p], frame[3 * p + 1], frame[3 * p + 2]);
                indices[p] = index;
            }
            w.Write((byte)8);
            WriteSubBlocks(w, Lzw(indices));
        }
        w.Write((byte)0x3B);
        w.Flush();
        return ms.ToArray();
    }

    static byte[] ToBytes(Image image)
    {
        int n = image.Width * image.Height;
        var bytes = new byte[3 * n];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < n; p++)
                bytes[3 * p + c] = (byte)Math.Clamp(MathF.Round(image.Data[c * n + p] * 255f), 0, 255);
        return bytes;
    }

    /// <summary>Median cut: split the box with the widest channel range at its median until there are <paramref name="count"/> boxes; each box's mean is a palette entry.</summary>
    static List<(byte R, byte G, byte B)> MedianCut(List<byte[]> frames, int count)
    {
        var colours = new List<int>();
        foreach (var f in frames)
            for (int p = 0; p < f.Length; p += 3) colours.Add((f[p] << 16) | (f[p + 1] << 8) | f[p + 2]);
        var boxes = new List<List<int>> { colours.Distinct().ToList() };
        while (boxes.Count < count)
        {
            int best = -1, bestRange = 0, bestChannel = 0;
            for (int i = 0; i < boxes.Count; i++)
            {
                if (boxes[i].Count < 2) continue;
                for (int c = 0; c < 3; c++)
                {
                    int shift = 16 - 8 * c;
                    int lo = 255, hi = 0;
                    foreach (var v in boxes[i]) { int x = (v >> shift) & 255; lo = Math.Min(lo, x); hi = Math.Max(hi, x); }
                    if (hi - lo > bestRange) { bestRange = hi - lo; best = i; bestChannel = shift; }
                }
            }
            if (best < 0) break; // every box holds one colour
            var box = boxes[best].OrderBy(v => (v >> bestChannel) & 255).ToList();
            boxes[best] = box.GetRange(0, box.Count / 2);
            boxes.Add(box.GetRange(box.Count / 2, box.Count - box.Count / 2));
        }
        return boxes.Select(b => ((byte)Math.Round(b.Average(v => (v >> 16) & 255)), (byte)Math.Round(b.Average(v => (v >> 8) & 255)), (byte)Math.Round(b.Average(v => v & 255)))).ToList();
    }

    static byte Nearest(List<(byte R, byte G, byte B)> palette, int r, int g, int b)
    {
        int best = 0, bestDistance = int.MaxValue;
        for (int i = 0; i < palette.Count; i++)
        {
            int dr = palette[i].R - r, dg = palette[i].G - g, db = palette[i].B - b;
            int d = dr * dr + dg * dg + db * db;
            if (d < bestDistance) { bestDistance = d; best = i; }
        }
        return (byte)best;
    }

    /// <summary>GIF's variable-width LZW (8-bit symbols, codes 9 to 12 bits, LSB first), as the classic compress-based encoders emit it.</summary>
    static byte[] Lzw(byte[] indices)
    {
        const int clear = 256, end = 257, maxCodes = 4096;
        var output = new List<byte>();
        int bitBuffer = 0, bitCount = 0, codeSize = 9, nextCode = end + 1;
        var table = new Dictionary<int, int>();
        void Emit(int code)
        {
            bitBuffer |= code << bitCount;
            bitCount += codeSize;
            while (bitCount >= 8) { output.Add((byte)(bitBuffer & 255)); bitBuffer >>= 8; bitCount -= 8; }
        }
        Emit(clear);
        int prefix = indices[0];
        for (int i = 1; i < indices.Length; i++)
        {
            int k = indices[i];
            int key = (prefix << 8) | k;
            if (table.TryGetValue(key, out var code)) { prefix = code; continue; }
            Emit(prefix);
            if (nextCode < maxCodes)
            {
                // The decoder widens its codes once its table reaches 2^size; match it.
                if (nextCode == 1 << codeSize && codeSize < 12) codeSize++;
                table[key] = nextCode++;
            }
            else
            {
                Emit(clear);
                table.Clear();
                nextCode = end + 1;
                codeSize = 9;
            }
            prefix = k;
        }
        Emit(prefix);
        Emit(end);
        if (bitCount > 0) output.Add((byte)(bitBuffer & 255));
        return output.ToArray();
    }

    static void WriteSubBlocks(BinaryWriter w, byte[] data)
    {
        for (int i = 0; i < data.Length; i += 255)
        {
            int n = Math.Min(255, data.Length - i);
            w.Write((byte)n);
            w.Write(data, i, n);
        }
        w.Write((byte)0);
    }
}
