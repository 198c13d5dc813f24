using System.Runtime.InteropServices;
using Atelier.Imaging;
using Atelier.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Inference;

/// <summary>
/// Runs an <see cref="IImageNetwork"/> on an image of any size within a memory budget. The image is reflection-padded
/// (virtually, tile by tile) to the network's multiple; if it does not fit in one forward pass it is cut into
/// overlapping tiles whose results are blended with a raised-cosine window; the output has exactly the input's size.
/// <para>
/// Networks whose output depends on whole-image statistics (instance norm, AdaIN/WCT) get them shared through a
/// <see cref="NormStatistics"/>: recorded on a downscaled copy that fits the budget (optionally refined by one
/// pass over all tiles at full resolution, each tile adding its core's statistics), then replayed in every tile, so all
/// tiles normalise alike (with the whole image's statistics they match the untiled result; see the tests).
/// </para>
/// </summary>
public static class TiledInference
{
    /// <summary>The smallest side a feed-forward network is run on.</summary>
    public const int MinimumSide = 16;

    /// <summary>
    /// Runs <paramref name="net"/> on <paramref name="image"/>. <paramref name="statistics"/>, if given, carries
    /// normalisation statistics between calls (video: set its Momentum for an exponential moving average across frames);
    /// otherwise they are private to this call.
    /// </summary>
    public static Image Run(Image image, IImageNetwork net, TilingOptions? options = null, NormStatistics? statistics = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        options ??= new TilingOptions();
        // Smaller pictures cannot be padded to the network's multiple by reflection (libtorch would refuse natively).
        if (image.Width < MinimumSide || image.Height < MinimumSide)
            throw new AtelierException($"the picture is {image.Width}x{image.Height}: {net.Name} needs at least {MinimumSide}x{MinimumSide} pixels");
        var input = net.PrepareInput(image);
        var plan = TilePlan.Create(input.Width, input.Height, input.Channels, net, options,
            sourceChannels: ReferenceEquals(input, image) ? 0 : image.Channels);
        return Run(input, net, plan, options, statistics, progress, ct);
    }

    /// <summary>Runs a prepared input (see <see cref="IImageNetwork.PrepareInput"/>) by a given plan.</summary>
    public static Image Run(Image input, IImageNetwork net, TilePlan plan, TilingOptions options, NormStatistics? statistics = null,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        using var noGrad = no_grad();
        using var cancellation = AmbientCancellation.Use(ct); // networks check it between layers
        // Under an explicit budget, freed feature maps go back to the system, untiled too: a 1024x1024 ResNet pass
        // measured 100 MB more without it. So they do whenever the picture is tiled, the default budget included: tiling
        // means memory is short, and under the reuse policy a 3000x2000 fast-style run peaked at 5.7 GB against the
        // default 2 GB. An untiled picture under no explicit budget keeps the process's policy (reuse is far faster).
        using var budget = options.MaxMemory is null && !plan.Tiled ? null : NativeAllocator.EnterBudget();
        if (!plan.Tiled)
        {
            using var scope = NewDisposeScope();
            var x = Extract(input, plan, plan.Tiles[0]);
            Tensor y;
            using (statistics?.Activate(NormStatisticsMode.Record)) y = net.Forward(x);
            progress?.Report(new ProgressReport(1, 1, "tiles"));
            return ToImage(y, plan);
        }

        NormStatistics? owned = null;
        var stats = statistics;
        if (!options.ShareStatistics || !net.UsesStatistics) stats = null;
        else if (stats is null) stats = owned = new NormStatistics();
        bool given = options.UseGivenStatistics && stats is not null && stats.LayerCount > 0;
        try
        {
            bool refine = stats is not null && !given && options.RefineStatistics;
            long total = (long)plan.Tiles.Count * (refine ? 2 : 1);
            long done = 0;
            if (stats is not null && !given) RecordDownscaled(input, net, plan, stats);
            if (stats is not null && refine)
            {
                foreach (var tile in plan.Tiles)
                {
                    ct.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var x = Extract(input, plan, tile);
                    var region = ((tile.CoreY0 - tile.Y) / (double)tile.Height, (tile.CoreY1 - tile.Y) / (double)tile.Height,
                                  (tile.CoreX0 - tile.X) / (double)tile.Width, (tile.CoreX1 - tile.X) / (double)tile.Width);
                    using (stats.Activate(NormStatisticsMode.Accumulate, region)) net.Forward(x);
                    progress?.Report(new ProgressReport(++done, total, "statistics"));
                }
                stats.FinishAccumulation();
            }

            var output = new Image(plan.ImageWidth, plan.ImageHeight, net.OutputChannels == 1 ? 1 : net.OutputChannels);
            foreach (var tile in plan.Tiles)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var x = Extract(input, plan, tile);
                Tensor y;
                using (stats?.Activate(NormStatisticsMode.Replay)) y = net.Forward(x);
                x.Dispose(); // before the blend: only the tile's output is alive with the image buffers
                Blend(y, plan, tile, output);
                progress?.Report(new ProgressReport(++done, total, "tiles"));
            }
            // The weight sum at (x, y) is the product of the column tiles' ramps summed at x and the row tiles' summed
            // at y (the tiles are a grid), so two lines of sums stand in for a whole-image weight buffer.
            var (cols, rows) = WeightSums(plan);
            int width = output.Width;
            for (int c = 0; c < output.Channels; c++)
            {
                var p = output.Plane(c);
                for (int j = 0; j < output.Height; j++)
                {
                    var row = p.Slice(j * width, width);
                    float rw = rows[j];
                    for (int i = 0; i < width; i++) row[i] /= cols[i] * rw;
                }
            }
            return output;
        }
        finally { owned?.Dispose(); }
    }

    /// <summary>Records the statistics on a copy of the canvas scaled down to fit in one tile (sides on the multiple).</summary>
    static void RecordDownscaled(Image input, IImageNetwork net, TilePlan plan, NormStatistics stats)
    {
        int m = net.Multiple;
        double scale = Math.Min(1.0, Math.Sqrt((double)plan.TileWidth * plan.TileHeight / ((double)plan.CanvasWidth * plan.CanvasHeight)));
        int w = Math.Max(m, (int)(plan.CanvasWidth * scale) / m * m), h = Math.Max(m, (int)(plan.CanvasHeight * scale) / m * m);
        using var scope = NewDisposeScope();
        // Resize the image itself and pad the result like the canvas, so the copy shows the same content.
        int iw = Math.Max(1, (int)Math.Round(input.Width * (double)w / plan.CanvasWidth));
        int ih = Math.Max(1, (int)Math.Round(input.Height * (double)h / plan.CanvasHeight));
        var small = ImageResize.Resize(input, iw, ih, ResizeFilter.Bilinear);
        // The resize's intermediate (C x H x w floats: 46 MB for a 4096 px image and 940 px tiles) is garbage now; an
        // aggressive collection gives it back to the system before the forward pass instead of leaving it resident.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var smallPlan = TilePlan.Create(small.Width, small.Height, small.Channels, net, new TilingOptions { TileSize = Math.Max(w, h) + m });
        var x = Extract(small, smallPlan, smallPlan.Tiles[0]);
        using (stats.Activate(NormStatisticsMode.Record)) net.Forward(x);
    }

    /// <summary>A tile of the virtual canvas (the image reflection-padded to the multiple) as a (1, C, h, w) tensor in [0,1].</summary>
    static Tensor Extract(Image input, TilePlan plan, Tile tile)
    {
        int c = input.Channels, tw = tile.Width, th = tile.Height;
        // Written straight into the tensor's storage: no managed copy of every tile for the garbage collector.
        var t = empty([1, c, th, tw], ScalarType.Float32);
        var data = MemoryMarshal.Cast<byte, float>(t.bytes);
        var xsrc = new int[tw];
        for (int i = 0; i < tw; i++) xsrc[i] = ReflectPadding.Mirror(tile.X + i - plan.PadLeft, input.Width);
        for (int ch = 0; ch < c; ch++)
        {
            var plane = input.Plane(ch);
            for (int j = 0; j < th; j++)
            {
                int sy = ReflectPadding.Mirror(tile.Y + j - plan.PadTop, input.Height);
                var row = plane.Slice(sy * input.Width, input.Width);
                var dst = data.Slice((ch * th + j) * tw, tw);
                for (int i = 0; i < tw; i++) dst[i] = row[xsrc[i]];
            }
        }
        return t;
    }

    /// <summary>The untiled result: the canvas output cropped to the image.</summary>
    static Image ToImage(Tensor y, TilePlan plan)
    {
        var crop = y[.., .., plan.PadTop..(plan.PadTop + plan.ImageHeight), plan.PadLeft..(plan.PadLeft + plan.ImageWidth)];
        return ImageTensors.FromTensor(crop.cpu().contiguous(), ValueRange.ZeroOne);
    }

    /// <summary>Adds a tile's output, weighted by the blending window, into the output (the weights are summed by <see cref="WeightSums"/>).</summary>
    static void Blend(Tensor y, TilePlan plan, Tile tile, Image output)
    {
        int tw = tile.Width, th = tile.Height, c = output.Channels;
        var t = y.cpu().to_type(ScalarType.Float32).contiguous(); // the output itself when it is already so; read in place
        var values = MemoryMarshal.Cast<byte, float>(t.bytes);
        var wx = new float[tw];
        for (int i = 0; i < tw; i++) wx[i] = TilePlan.Ramp(i, tw, tile.OverlapLeft, tile.OverlapRight);
        int W = output.Width, H = output.Height;
        int i0 = Math.Max(0, plan.PadLeft - tile.X), i1 = Math.Min(tw, W + plan.PadLeft - tile.X);
        if (i1 <= i0) return;
        for (int j = 0; j < th; j++)
        {
            int oy = tile.Y + j - plan.PadTop;
            if (oy < 0 || oy >= H) continue;
            float wy = TilePlan.Ramp(j, th, tile.OverlapTop, tile.OverlapBottom);
            for (int ch = 0; ch < c; ch++)
            {
                var dst = output.Plane(ch).Slice(oy * W + tile.X - plan.PadLeft + i0, i1 - i0);
                var src = values.Slice((ch * th + j) * tw + i0, i1 - i0);
                for (int i = 0; i < dst.Length; i++) dst[i] += wx[i0 + i] * wy * src[i];
            }
        }
    }

    /// <summary>
    /// Sums of the blending ramps over the image's columns and rows: the weight sum at (x, y) is cols[x] * rows[y],
    /// because every tile's window is its column ramp times its row ramp and the tiles are a grid.
    /// </summary>
    internal static (float[] Cols, float[] Rows) WeightSums(TilePlan plan)
    {
        var cols = new float[plan.ImageWidth];
        var rows = new float[plan.ImageHeight];
        int firstX = plan.Tiles[0].X, firstY = plan.Tiles[0].Y;
        foreach (var tile in plan.Tiles)
        {
            if (tile.Y == firstY)
                for (int i = 0; i < tile.Width; i++)
                {
                    int ox = tile.X + i - plan.PadLeft;
                    if (ox >= 0 && ox < cols.Length) cols[ox] += TilePlan.Ramp(i, tile.Width, tile.OverlapLeft, tile.OverlapRight);
                }
            if (tile.X == firstX)
                for (int j = 0; j < tile.Height; j++)
                {
                    int oy = tile.Y + j - plan.PadTop;
                    if (oy >= 0 && oy < rows.Length) rows[oy] += TilePlan.Ramp(j, tile.Height, tile.OverlapTop, tile.OverlapBottom);
                }
        }
        return (cols, rows);
    }
}
