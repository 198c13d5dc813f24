using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Texture.Optimization;

/// <summary>What a texture optimisation made, and how evenly it drew on its source.</summary>
/// <param name="MostUsed">The most target patches that share one source patch at the finest level.</param>
/// <param name="DistinctShare">Distinct source patches used, over target patches (1: none reused).</param>
public sealed record TextureOptimizationResult(Image Image, int Levels, int MostUsed, double DistinctShare);

/// <summary>
/// Texture optimisation (Kwatra et al. 2005, "Texture Optimization for Example-based Synthesis") with PatchMatch
/// nearest-neighbour fields (Barnes et al. 2009) over a Gaussian pyramid, and the improvements of Kaspar et al. 2015
/// ("Self Tuning Texture Optimization"): robust voting and an occurrence penalty against repetition. The same
/// machinery completes holes (Wexler et al. 2007, "Space-Time Completion of Video"): the hole's patches are matched
/// against the image's patches that lie outside it, and only hole pixels are voted.
/// <para>
/// Each level alternates a search (every target patch finds its nearest source patch) and a vote (every pixel
/// becomes the weighted mean of what the patches covering it say); a level starts from the coarser level's field.
/// </para>
/// </summary>
public static class TextureOptimization
{
    public static Image Synthesize(Image sample, int width, int height, TextureOptimizationOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default) =>
        SynthesizeWithFigures(sample, width, height, options, random, progress, ct).Image;

    public static TextureOptimizationResult SynthesizeWithFigures(Image sample, int width, int height, TextureOptimizationOptions? options,
        Random random, IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var opt = Checked(options);
        TextureChecks.OutputSize(width, height);
        TextureChecks.SampleAtLeast(sample, opt.Patch, $"{opt.Patch}x{opt.Patch} patch", nameof(opt.Patch));
        if (!opt.WrapX && width < opt.Patch || !opt.WrapY && height < opt.Patch)
            throw new AtelierUsageException($"{{Size}} {width}x{height}: smaller than the {opt.Patch}x{opt.Patch} patch");
        // Levels: the sample and the output (on axes that do not wrap) stay at least a patch across at the coarsest.
        int levels = Math.Min(opt.AutoLevels(sample.Width, sample.Height), LevelsKeeping(opt.Patch,
            Math.Min(opt.WrapX ? int.MaxValue : width, opt.WrapY ? int.MaxValue : height)));
        var samples = GaussianPyramid.Build(sample, levels);
        ulong seed = (ulong)random.NextInt64();
        var work = new Work(progress, "optimise", TotalRounds(opt, levels));

        NearestPatchField? field = null;
        for (int l = levels - 1; l >= 0; l--)
        {
            var (w, h) = GaussianPyramid.LevelSize(width, height, l);
            var source = PatchCanvas.From(samples[l], opt.Patch);
            var target = new PatchCanvas(w, h, sample.Channels, opt.Patch, opt.WrapX, opt.WrapY);
            var next = new NearestPatchField(target, source, null, null, opt.MaxThreads);
            if (field is null) next.RandomInit(NearestPatchField.Mix(seed, (ulong)l), Math.Max(1, Math.Min(samples[l].Width, samples[l].Height) / 2));
            else next.UpsampleFrom(field, NearestPatchField.Mix(seed, (ulong)l));
            field = next;
            // The coarsest level starts from a patchwork of random matches; a finer one from its parent's matches.
            field.Search(0, opt.Occurrence, 0, ct);
            field.Vote(opt.Robustness, null, ct);
            Rounds(field, opt, l, seed, null, work, ct);
        }
        var usage = field!.Usage();
        return new TextureOptimizationResult(field.Target.ToImage(), levels, usage.MostUsed, usage.DistinctShare);
    }

    /// <summary>
    /// Guided synthesis (texture transfer): <paramref name="target"/> re-rendered from <paramref name="texture"/>'s
    /// patches, each output patch matched on its colours and, with weight 1 - <paramref name="alpha"/>, on how well
    /// the source patch's luminance follows the target's there (Kwatra et al. 2005's guided synthesis; Efros and
    /// Freeman's alpha). The output has the target's size.
    /// </summary>
    public static Image Transfer(Image texture, Image target, double alpha, TextureOptimizationOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var opt = Checked(options);
        TextureChecks.Range(alpha, 0.05, 1, "Alpha");
        if (opt.Tileable != TileAxes.None)
            throw new AtelierUsageException($"{{Tileable}} {opt.Tileable.Name()}: a transfer follows its target's layout; it does not wrap around");
        TextureChecks.SampleAtLeast(texture, opt.Patch, $"{opt.Patch}x{opt.Patch} patch", nameof(opt.Patch), "the texture");
        TextureChecks.SampleAtLeast(target, opt.Patch, $"{opt.Patch}x{opt.Patch} patch", nameof(opt.Patch), "the target");
        var tex = ImageOps.ToRgb(texture);
        var tgt = ImageOps.ToRgb(target);
        int levels = Math.Min(opt.AutoLevels(tex.Width, tex.Height), LevelsKeeping(opt.Patch, Math.Min(tgt.Width, tgt.Height)));
        var textures = GaussianPyramid.Build(tex, levels);
        var targets = GaussianPyramid.Build(tgt, levels);
        // The guide rides as a fourth channel, scaled so its squared difference weighs (1 - alpha) / alpha against
        // the mean of the three colour channels'.
        float g = (float)Math.Sqrt(3 * (1 - alpha) / alpha);
        ulong seed = (ulong)random.NextInt64();
        var work = new Work(progress, "transfer", TotalRounds(opt, levels));
        NearestPatchField? field = null;
        for (int l = levels - 1; l >= 0; l--)
        {
            var source = PatchCanvas.From(WithGuide(textures[l], g), opt.Patch);
            // The coarsest level starts from the target's own colours, so the first matches already follow it; a
            // finer one from the coarser result enlarged.
            var start = WithGuide(targets[l], g);
            if (field is not null)
                Array.Copy(ImageResize.Resize(field.Target.ToImage(), start.Width, start.Height).Data, start.Data, 3 * start.PlaneSize);
            var canvas = PatchCanvas.From(start, opt.Patch);
            var next = new NearestPatchField(canvas, source, null, null, opt.MaxThreads) { VotedChannels = 3 };
            if (field is null) next.RandomInit(NearestPatchField.Mix(seed, (ulong)l));
            else next.UpsampleFrom(field, NearestPatchField.Mix(seed, (ulong)l));
            field = next;
            field.Search(l == levels - 1 ? opt.SweepsFor(false) : 0, opt.Occurrence, NearestPatchField.Mix(seed, (ulong)(l + 500)), ct);
            field.Vote(opt.Robustness, null, ct);
            Rounds(field, opt, l, seed, null, work, ct);
        }
        var result = field!.Target.ToImage();
        return new Image(result.Width, result.Height, 3, result.Data[..(3 * result.PlaneSize)]);
    }

    /// <summary>The picture's three colour channels and its luminance times <paramref name="weight"/> as a fourth.</summary>
    static Image WithGuide(Image rgb, float weight)
    {
        int n = rgb.PlaneSize;
        var data = new float[4 * n];
        Array.Copy(rgb.Data, data, 3 * n);
        var luma = ImageOps.ToGray(rgb).Data;
        for (int i = 0; i < n; i++) data[3 * n + i] = weight * luma[i];
        return new Image(rgb.Width, rgb.Height, 4, data);
    }

    /// <summary>
    /// Fills the <paramref name="hole"/> pixels of <paramref name="image"/> (y * width + x, true = fill) from the
    /// image's own patches outside it; with <paramref name="sourceRegion"/>, only from patches wholly inside that
    /// region. Pixels outside the hole come back bit for bit.
    /// </summary>
    public static Image Complete(Image image, bool[] hole, bool[]? sourceRegion, TextureOptimizationOptions? options, Random random,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        var opt = Checked(options);
        int W = image.Width, H = image.Height, P = opt.Patch;
        if (hole.Length != W * H)
            throw new AtelierUsageException($"{{Mask}}: the mask has {hole.Length} pixels but the image has {W * H}; they must be the same size");
        if (sourceRegion is not null && sourceRegion.Length != W * H)
            throw new AtelierUsageException($"{{SampleMask}}: the sample mask has {sourceRegion.Length} pixels but the image has {W * H}; they must be the same size");
        TextureChecks.SampleAtLeast(image, P, $"{P}x{P} patch", nameof(opt.Patch), "the image");
        int holes = hole.Count(h => h);
        if (holes == 0) throw new AtelierUsageException("{Mask}: the mask marks no pixel to fill (it is all black); white marks the hole");
        if (holes == hole.Length) throw new AtelierUsageException("{Mask}: the mask covers the whole image, leaving nothing to fill from");

        // Levels: given, or as many as the hole needs to be at most a patch deep at the coarsest level (so a
        // structure is carried across it there), at least two (one cannot carry a pattern across a wide hole) and
        // no more than keep the coarsest picture 8 patches across or synthesis would take. A start as coarse as
        // synthesis takes lost the scene's layout in held-out photo holes (4 levels at 256² scored 1.4-1.7 dB below
        // 2), while a round 90 px hole in bricks needs 3 to continue the mortar (docs/texture.md). And no coarser
        // than leaves a whole patch outside the hole to copy from.
        int depth = DistanceToKnown(hole, W, H).Max(), needed = 1;
        while (needed < 8 && depth >> (needed - 1) > P) needed++;
        int levels = opt.Levels > 0 ? opt.Levels
            : Math.Min(Math.Max(2, needed), Math.Min(opt.AutoLevels(W, H), Math.Max(2, LevelsKeeping(8 * P, Math.Min(W, H)))));
        levels = Math.Min(levels, LevelsKeeping(P, Math.Min(W, H)));
        var holes_ = new bool[levels][];
        var regions = new bool[levels][];
        holes_[0] = hole;
        regions[0] = sourceRegion ?? Enumerable.Repeat(true, W * H).ToArray();
        for (int l = 1; l < levels; l++)
        {
            var (pw, ph) = GaussianPyramid.LevelSize(W, H, l - 1);
            // A coarse pixel is hole when any of its children is. Its blur also reaches the hole's neighbours, but
            // the pyramid is built from the smooth fill, so that brings no garbage in; widening the hole by the
            // blur's reach (as this did first) left thin strokes almost no context at the coarse levels and cost
            // 1.5-4 dB in held-out holes (docs/texture.md).
            holes_[l] = Reduce(holes_[l - 1], pw, ph, any: true);
            regions[l] = Reduce(regions[l - 1], pw, ph, any: false);
            if (Sources(holes_[l], regions[l], GaussianPyramid.LevelSize(W, H, l), P).All(v => !v)) { levels = l; break; }
        }
        if (Sources(hole, regions[0], (W, H), P).All(v => !v))
            throw new AtelierUsageException($"{{Patch}} {P}: every {P}x{P} patch of the image touches the hole (or lies outside the sample region), so there is nothing to copy from; use a smaller patch or a smaller hole");

        // The pyramid is built from the image with the hole smoothly pre-filled, so its blur brings no garbage in.
        var images = GaussianPyramid.Build(FillSmoothly(image, hole), levels);
        ulong seed = (ulong)random.NextInt64();
        var work = new Work(progress, "fill", TotalRounds(opt, levels));
        NearestPatchField? field = null;
        for (int l = levels - 1; l >= 0; l--)
        {
            var (w, h) = GaussianPyramid.LevelSize(W, H, l);
            var known = holes_[l].Select(x => !x).ToArray();
            var target = PatchCanvas.From(l == 0 ? image : images[l], P);
            if (l == 0) // the known pixels exactly as given; the hole starts from the smooth fill
            {
                var filled = PatchCanvas.From(images[0], P);
                for (int i = 0; i < W * H; i++)
                    if (hole[i]) Array.Copy(filled.Data, filled.Offset(i % W, i / W), target.Data, target.Offset(i % W, i / W), image.Channels);
            }
            var source = PatchCanvas.From(images[l], P);
            var active = MaskWindows.Touching(holes_[l], w, h, P); // only the patches touching the hole are searched and voted
            var next = new NearestPatchField(target, source, active, Sources(holes_[l], regions[l], (w, h), P), opt.MaxThreads);
            if (opt.BorderConfidence > 1) next.Confidence = PatchConfidence(holes_[l], w, h, P, opt.BorderConfidence);
            if (field is null)
            {
                next.RandomInit(NearestPatchField.Mix(seed, (ulong)l));
                field = next;
            }
            else
            {
                next.UpsampleFrom(field, NearestPatchField.Mix(seed, (ulong)l));
                field = next;
                field.Search(0, opt.Occurrence, 0, ct);
                field.Vote(opt.Robustness, known, ct);
            }
            Rounds(field, opt, l, seed, known, work, ct);
        }
        var result = field!.Target.ToImage();
        // Bit for bit outside the hole (the canvas round trip is exact, but say it in code).
        for (int c = 0; c < image.Channels; c++)
            for (int i = 0; i < W * H; i++)
                if (!hole[i]) result.Data[c * W * H + i] = image.Data[c * W * H + i];
        return result;
    }

    /// <summary>Each pixel's distance in 8-connected steps from the nearest pixel outside the hole (0 outside it).</summary>
    static int[] DistanceToKnown(bool[] hole, int w, int h)
    {
        var dist = new int[w * h];
        var queue = new Queue<int>();
        for (int i = 0; i < dist.Length; i++) { dist[i] = hole[i] ? int.MaxValue : 0; if (!hole[i]) queue.Enqueue(i); }
        while (queue.Count > 0)
        {
            int i = queue.Dequeue(), x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int xx = x + dx, yy = y + dy;
                    if ((uint)xx >= (uint)w || (uint)yy >= (uint)h) continue;
                    int j = yy * w + xx;
                    if (dist[j] > dist[i] + 1) { dist[j] = dist[i] + 1; queue.Enqueue(j); }
                }
        }
        return dist;
    }

    /// <summary>
    /// Wexler et al.'s confidence: a hole pixel d steps (8-connected) from the nearest known pixel counts gamma^-d,
    /// a known one 1; a patch's vote is weighted by the mean over its pixels, so what is anchored at the hole's
    /// border leads and the interior follows it instead of averaging to a blur.
    /// </summary>
    static float[] PatchConfidence(bool[] hole, int w, int h, int P, double gamma)
    {
        var dist = DistanceToKnown(hole, w, h);
        // Each pixel's confidence once, then every patch's sum from an integral image.
        var integral = new double[(w + 1) * (h + 1)];
        for (int y = 0; y < h; y++)
        {
            double row = 0;
            for (int x = 0; x < w; x++)
            {
                int d = dist[y * w + x];
                row += d == 0 ? 1 : Math.Pow(gamma, -d);
                integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
            }
        }
        int px = w - P + 1, py = h - P + 1;
        var conf = new float[px * py];
        for (int oy = 0; oy < py; oy++)
            for (int ox = 0; ox < px; ox++)
            {
                double sum = integral[(oy + P) * (w + 1) + ox + P] - integral[oy * (w + 1) + ox + P]
                    - integral[(oy + P) * (w + 1) + ox] + integral[oy * (w + 1) + ox];
                conf[oy * px + ox] = (float)(sum / (P * P));
            }
        return conf;
    }

    static TextureOptimizationOptions Checked(TextureOptimizationOptions? options)
    {
        var opt = options ?? new TextureOptimizationOptions();
        if (opt.Patch < 3 || opt.Patch > 64) throw new AtelierUsageException($"{{Patch}} {opt.Patch}: must be between 3 and 64");
        if (opt.Levels < 0 || opt.Levels > 8) throw new AtelierUsageException($"{{Levels}} {opt.Levels}: must be between 0 (automatic) and 8");
        if (opt.Iterations < 1 || opt.Iterations > 100) throw new AtelierUsageException($"{{Iterations}} {opt.Iterations}: must be between 1 and 100");
        if (opt.SearchSweeps < 0 || opt.SearchSweeps > 32) throw new AtelierUsageException($"{{SearchSweeps}} {opt.SearchSweeps}: must be between 1 and 32, or 0 (automatic)");
        TextureChecks.Range(opt.Occurrence, 0, 10, nameof(opt.Occurrence));
        TextureChecks.Range(opt.Robustness, 0.1, 2, nameof(opt.Robustness));
        TextureChecks.Range(opt.BorderConfidence, 1, 10, nameof(opt.BorderConfidence));
        if (opt.MaxThreads < 0) throw new AtelierUsageException($"{{MaxThreads}} {opt.MaxThreads}: must be 0 (every processor) or more");
        return opt;
    }

    static int LevelsKeeping(int patch, int side)
    {
        int levels = 1;
        while (levels < 8 && (side >> levels) >= patch) levels++;
        return levels;
    }

    static int RoundsAt(TextureOptimizationOptions opt, int level) => level == 0 ? Math.Max(1, opt.Iterations / 2) : opt.Iterations;

    static long TotalRounds(TextureOptimizationOptions opt, int levels)
    {
        long total = 0;
        for (int l = 0; l < levels; l++) total += RoundsAt(opt, l);
        return total;
    }

    static void Rounds(NearestPatchField field, TextureOptimizationOptions opt, int level, ulong seed, bool[]? fixedPixels, Work work, CancellationToken ct)
    {
        int rounds = RoundsAt(opt, level);
        for (int round = 0; round < rounds; round++)
        {
            ct.ThrowIfCancellationRequested();
            field.Search(opt.SweepsFor(completion: fixedPixels is not null), opt.Occurrence, NearestPatchField.Mix(seed, (ulong)(level * 1000 + round + 1)), ct);
            field.Vote(opt.Robustness, fixedPixels, ct);
            work.Step(field);
        }
    }

    /// <summary>Progress: one step per round, with the mean patch distance as a figure.</summary>
    sealed class Work(IProgress<ProgressReport>? progress, string stage, long total)
    {
        long _done;
        public void Step(NearestPatchField field)
        {
            _done++;
            if (progress is null) return;
            double sum = 0; int n = 0;
            for (int i = 0; i < field.Distance.Length; i++) if (field.IsActive(i)) { sum += field.Distance[i]; n++; }
            progress.Report(new ProgressReport(_done, total, stage, new Dictionary<string, double> { ["distance"] = n > 0 ? sum / n : 0 }));
        }
    }

    /// <summary>Source patch origins wholly outside the hole and wholly inside the region.</summary>
    static bool[] Sources(bool[] hole, bool[] region, (int W, int H) size, int P)
    {
        var outside = MaskWindows.Touching(hole, size.W, size.H, P);
        var inside = MaskWindows.Touching(region.Select(r => !r).ToArray(), size.W, size.H, P);
        var valid = new bool[outside.Length];
        for (int i = 0; i < valid.Length; i++) valid[i] = !outside[i] && !inside[i];
        return valid;
    }

    /// <summary>Half size: a coarse pixel is set when any (or every) of its up to four children is.</summary>
    static bool[] Reduce(bool[] flag, int w, int h, bool any)
    {
        int w2 = (w + 1) / 2, h2 = (h + 1) / 2;
        var result = new bool[w2 * h2];
        for (int y = 0; y < h2; y++)
            for (int x = 0; x < w2; x++)
            {
                bool anySet = false, all = true;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++)
                    {
                        int fx = 2 * x + dx, fy = 2 * y + dy;
                        if (fx >= w || fy >= h) continue;
                        bool v = flag[fy * w + fx];
                        anySet |= v; all &= v;
                    }
                result[y * w2 + x] = any ? anySet : all;
            }
        return result;
    }

    /// <summary>
    /// The hole filled from its border inwards, each pixel the mean of its already known 8-neighbours (onion
    /// peeling): a smooth start for the coarsest level, and no garbage for the pyramid's blur.
    /// </summary>
    internal static Image FillSmoothly(Image image, bool[] hole)
    {
        int W = image.Width, H = image.Height, C = image.Channels, n = W * H;
        var result = image.Clone();
        var known = hole.Select(x => !x).ToArray();
        var ring = new List<int>();
        var sum = new float[C];
        while (true)
        {
            ring.Clear();
            for (int i = 0; i < n; i++)
            {
                if (known[i]) continue;
                int x = i % W, y = i / W;
                bool touches = false;
                for (int dy = -1; dy <= 1 && !touches; dy++)
                    for (int dx = -1; dx <= 1 && !touches; dx++)
                    {
                        int xx = x + dx, yy = y + dy;
                        touches = (uint)xx < (uint)W && (uint)yy < (uint)H && known[yy * W + xx];
                    }
                if (touches) ring.Add(i);
            }
            if (ring.Count == 0) break;
            var values = new float[ring.Count * C];
            for (int r = 0; r < ring.Count; r++)
            {
                int i = ring[r], x = i % W, y = i / W, count = 0;
                Array.Clear(sum);
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int xx = x + dx, yy = y + dy;
                        if ((uint)xx >= (uint)W || (uint)yy >= (uint)H || !known[yy * W + xx]) continue;
                        for (int c = 0; c < C; c++) sum[c] += result.Data[c * n + yy * W + xx];
                        count++;
                    }
                for (int c = 0; c < C; c++) values[r * C + c] = sum[c] / count;
            }
            for (int r = 0; r < ring.Count; r++)
            {
                int i = ring[r];
                for (int c = 0; c < C; c++) result.Data[c * n + i] = values[r * C + c];
                known[i] = true;
            }
        }
        return result;
    }
}
