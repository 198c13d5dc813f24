using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Methods;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.Texture;

/// <summary>The texture methods as every front end offers them (<see cref="MethodRegistry"/>).</summary>
public static class TextureMethods
{
    /// <summary>Largest output side any front end may ask of a texture method (the library's own limit is 64 MP).</summary>
    const int MaxSide = 8192;

    public static MethodDescriptor Quilting { get; } = new()
    {
        Id = "texture.quilting",
        Title = "Image quilting",
        About = "lays overlapping blocks of the sample and stitches them along minimum-error cuts (fast, any size)",
        UsesTorch = false,
        Reference = "Efros and Freeman 2001",
        Parameters =
        [
            P.Image("Sample", "Sample", "bricks", 64, primary: true, help: "the texture sample"),
            P.Size("Size", "Output size (px)", MaxSide, 256, "output size, WIDTHxHEIGHT or one number for a square"),
            P.OptionalInt("Block", "Block (px)", 3, 1024, "block size (default: a quarter of the sample's smaller side)"),
            P.OptionalInt("Overlap", "Overlap (px)", 1, 512, "overlap of neighbouring blocks (default: a sixth of the block)"),
            Tileable(),
            P.Seed(),
        ],
        Validate = v => BlockFits(v, "Sample"),
        Examples =
        [
            new("quilting-bricks", "quilted from bricks", new Dictionary<string, object?> { ["Sample"] = new SampleImage("bricks", 64), ["Size"] = 256 })
                { Quick = new Dictionary<string, object?> { ["Size"] = 96 } },
            new("quilting-weave", "quilted from a weave", new Dictionary<string, object?> { ["Sample"] = new SampleImage("weave", 64), ["Size"] = 256 })
                { Quick = new Dictionary<string, object?> { ["Size"] = 96 } },
            new("quilting-tileable", "quilted from pebbles to tile both ways", new Dictionary<string, object?> { ["Sample"] = new SampleImage("pebbles", 64), ["Size"] = 256, ["Tileable"] = "both" })
                { Quick = new Dictionary<string, object?> { ["Size"] = 64 } },
        ],
        Run = (v, run) => Timed(v, run, () =>
        {
            var (w, h) = v.Size("Size");
            var options = new QuiltingOptions { MaxThreads = run.Threads, Block = v.OptionalInt("Block") ?? 0, Overlap = v.OptionalInt("Overlap") ?? 0, Tileable = v.Tiling("Tileable") };
            return Texture.Quilting.Synthesize(v.Image("Sample"), w, h, options, RandomOf(v), run.Progress, run.Cancellation);
        }),
    };

    public static MethodDescriptor EfrosLeung { get; } = new()
    {
        Id = "texture.efros-leung",
        Title = "Efros-Leung",
        About = "grows the texture pixel by pixel from the sample's best-matching neighbourhoods (exact; slow, so small sizes)",
        UsesTorch = false,
        Reference = "Efros and Leung 1999",
        Parameters =
        [
            P.Image("Sample", "Sample", "pebbles", 48, primary: true, help: "the texture sample"),
            P.Size("Size", "Output size (px)", MaxSide, 64, "output size, WIDTHxHEIGHT or one number for a square"),
            P.Int("Window", "Window (odd)", 3, 51, 11, "neighbourhood window; larger keeps bigger structures"),
            P.Bool("Approximate", "Approximate (much faster)", false, "compare only coherence candidates: much faster, not exact"),
            Tileable(),
            P.Seed(),
        ],
        Validate = v => WindowFits(v, "Sample"),
        Examples =
        [
            new("efros-leung", "grown pixel by pixel (exact search, window 9)", new Dictionary<string, object?> { ["Sample"] = new SampleImage("pebbles", 48), ["Size"] = 256, ["Window"] = 9 })
                { Quick = new Dictionary<string, object?> { ["Size"] = 32 } },
        ],
        Run = (v, run) => Timed(v, run, () =>
        {
            var (w, h) = v.Size("Size");
            var options = new EfrosLeungOptions { MaxThreads = run.Threads, Window = v.Int("Window"), Approximate = v.Bool("Approximate"), Tileable = v.Tiling("Tileable") };
            return Texture.EfrosLeung.Synthesize(v.Image("Sample"), w, h, options, RandomOf(v), run.Progress, run.Cancellation);
        }),
    };

    public static MethodDescriptor Scanline { get; } = new()
    {
        Id = "texture.scanline",
        Title = "Scanline",
        About = "fills the output row by row, comparing the L-shaped half-window already made; coarse to fine with pyramid levels",
        UsesTorch = false,
        Reference = "Wei and Levoy 2000",
        Parameters =
        [
            P.Image("Sample", "Sample", "pebbles", 48, primary: true, help: "the texture sample"),
            P.Size("Size", "Output size (px)", MaxSide, 96, "output size, WIDTHxHEIGHT or one number for a square"),
            P.Int("Window", "Window (odd)", 3, 51, 9, "the L-shaped half of this window is compared"),
            P.Int("Levels", "Pyramid levels", 1, 6, 2, "each coarser level adds a full neighbourhood of the parent; more keeps larger structures"),
            P.Bool("Approximate", "Approximate (much faster)", false, "compare only coherence candidates: much faster, not exact"),
            Tileable(),
            P.Seed(),
        ],
        Validate = v => WindowFits(v, "Sample"),
        Examples =
        [
            new("scanline", "row by row over a two-level pyramid", new Dictionary<string, object?> { ["Sample"] = new SampleImage("pebbles", 48), ["Size"] = 256, ["Window"] = 9, ["Levels"] = 2 })
                { Quick = new Dictionary<string, object?> { ["Size"] = 40, ["Levels"] = 1 } },
        ],
        Run = (v, run) => Timed(v, run, () =>
        {
            var (w, h) = v.Size("Size");
            var options = new ScanlineOptions { MaxThreads = run.Threads, Window = v.Int("Window"), Levels = v.Int("Levels"), Approximate = v.Bool("Approximate"), Tileable = v.Tiling("Tileable") };
            return Texture.Scanline.Synthesize(v.Image("Sample"), w, h, options, RandomOf(v), run.Progress, run.Cancellation);
        }),
    };

    public static MethodDescriptor Optimize { get; } = new()
    {
        Id = "texture.optimize",
        Title = "Texture optimisation",
        About = "matches every patch of the output to the sample with PatchMatch and votes, coarse to fine (fast at large sizes, no visible blocks)",
        UsesTorch = false,
        Reference = "Kwatra et al. 2005; Barnes et al. 2009; Kaspar et al. 2015",
        Parameters =
        [
            P.Image("Sample", "Sample", "pebbles", 64, primary: true, help: "the texture sample"),
            P.Size("Size", "Output size (px)", MaxSide, 256, "output size, WIDTHxHEIGHT or one number for a square"),
            P.Int("Patch", "Patch (px)", 3, 64, 7, "patch side at every level; larger keeps bigger structures"),
            P.Int("Iterations", "Rounds per level", 1, 100, 16, "search-and-vote rounds per pyramid level (half as many at full size)"),
            Tileable(),
            P.Seed(),
        ],
        Validate = v => PatchFits(v, "Sample"),
        Examples =
        [
            new("optimise-pebbles", "optimised from pebbles", new Dictionary<string, object?> { ["Sample"] = new SampleImage("pebbles", 64), ["Size"] = 256 })
                { Quick = new Dictionary<string, object?> { ["Size"] = 96, ["Iterations"] = 4 } },
        ],
        Run = (v, run) => Timed(v, run, () =>
        {
            var (w, h) = v.Size("Size");
            var options = new Optimization.TextureOptimizationOptions { MaxThreads = run.Threads, Patch = v.Int("Patch"), Iterations = v.Int("Iterations"), Tileable = v.Tiling("Tileable") };
            return Optimization.TextureOptimization.Synthesize(v.Image("Sample"), w, h, options, RandomOf(v), run.Progress, run.Cancellation);
        }),
    };

    public static MethodDescriptor HoleFilling { get; } = new()
    {
        Id = "texture.fill",
        Title = "Hole filling",
        About = "re-grows the masked part of a picture from the rest of it (pixels outside the hole are kept exactly)",
        UsesTorch = false,
        Reference = "Wexler et al. 2007 (texture optimisation); Efros and Leung 1999, constrained synthesis",
        Parameters =
        [
            P.Image("Image", "Picture", "bricks", 64, primary: true, help: "the picture with a hole"),
            P.Mask("Mask", "Hole", "Image", "the hole: white (painted) = fill, black = keep; the picture's size"),
            P.Choice("Engine", "Engine", "optimise", ["optimise", "efros-leung"],
                "optimise: texture optimisation over a pyramid (PatchMatch, fast); efros-leung: pixel by pixel from the border inwards (exact search, slow)"),
            P.Mask("SampleMask", "Copy from", "Image", "where the fill may copy from: white = may copy (default: everywhere outside the hole)") with { Required = false, Optional = true },
            P.OptionalInt("Ring", "Ring (px)", 1, 4096, "copy only from within this many pixels of the hole (GIMP's heal samples 50)"),
            P.Int("Patch", "Patch (px)", 3, 64, 7, "optimise: patch side at every level"),
            P.Int("Iterations", "Rounds per level", 1, 100, 16, "optimise: search-and-vote rounds at each pyramid level (half at the finest)"),
            P.Int("Window", "Window (odd)", 3, 51, 11, "efros-leung: neighbourhood window"),
            P.Choice("Order", "Fill order", "border", ["border", "top", "bottom", "left", "right"],
                "efros-leung: grow from the whole border (most known neighbours first), or from one side across the hole"),
            P.Int("Passes", "Refinement passes", 0, 20, 0, "efros-leung: passes that re-match every filled pixel with its whole neighbourhood"),
            P.Seed(),
        ],
        Validate = v =>
        {
            bool grow = v.Choice("Engine") == "efros-leung";
            if (grow) WindowFits(v, "Image"); else PatchFits(v, "Image");
            if (grow) RefuseChanged("optimise", ("Patch", v.Int("Patch") != 7), ("Iterations", v.Int("Iterations") != 16));
            else RefuseChanged("efros-leung", ("Window", v.Int("Window") != 11), ("Order", v.Choice("Order") != "border"), ("Passes", v.Int("Passes") != 0));
            int holes = Texture.HoleFilling.HoleFromMask(v.Image("Mask")).Count(b => b);
            if (holes == 0) throw new AtelierUsageException("{Mask}: marks no pixel to fill (nothing is painted white); white marks the hole");
            if (holes == v.Image("Mask").PlaneSize) throw new AtelierUsageException("{Mask}: covers the whole image, leaving nothing to grow the hole from");
            if (v.OptionalImage("SampleMask") is { } region && (region.Width != v.Image("Image").Width || region.Height != v.Image("Image").Height))
                throw new AtelierUsageException($"{{SampleMask}}: the sample mask is {region.Width}x{region.Height} but the picture is {v.Image("Image").Width}x{v.Image("Image").Height}; they must be the same size");
        },
        Examples =
        [
            new("fill", "the hole re-grown", new Dictionary<string, object?> { ["Image"] = new SampleImage("bricks", 256, SeedOffset: 1), ["Mask"] = new SampleMask(256, 256) })
                { Quick = new Dictionary<string, object?> { ["Image"] = new SampleImage("bricks", 64, SeedOffset: 1), ["Mask"] = new SampleMask(64, 64) } },
        ],
        Run = (v, run) =>
        {
            var image = v.Image("Image");
            var hole = Texture.HoleFilling.HoleFromMask(v.Image("Mask"));
            var region = SampleRegion(v, hole, image.Width, image.Height);
            var result = Timed(v, run, () => v.Choice("Engine") == "efros-leung"
                ? Texture.HoleFilling.Fill(image, hole, region, new EfrosLeungOptions
                    {
                        MaxThreads = run.Threads, Window = v.Int("Window"), Order = OrderOf(v.Choice("Order")), RefinementPasses = v.Int("Passes"),
                    }, RandomOf(v), run.Progress, run.Cancellation)
                : Optimization.TextureOptimization.Complete(image, hole, region, new Optimization.TextureOptimizationOptions
                    {
                        MaxThreads = run.Threads, Patch = v.Int("Patch"), Iterations = v.Int("Iterations"),
                    }, RandomOf(v), run.Progress, run.Cancellation));
            return result with { Info = new Dictionary<string, object>(result.Info) { ["filledPixels"] = hole.Count(b => b), ["engine"] = v.Choice("Engine") } };
        },
    };

    static GrowthOrder OrderOf(string order) => order switch
    {
        "top" => GrowthOrder.FromTop, "bottom" => GrowthOrder.FromBottom, "left" => GrowthOrder.FromLeft, "right" => GrowthOrder.FromRight,
        _ => GrowthOrder.MostKnown,
    };

    /// <summary>Where a fill may copy from: the sample mask's white pixels, within the ring when one is given; null for anywhere.</summary>
    static bool[]? SampleRegion(MethodValues v, bool[] hole, int width, int height)
    {
        var region = v.OptionalImage("SampleMask") is { } mask ? Texture.HoleFilling.HoleFromMask(mask) : null;
        if (v.OptionalInt("Ring") is { } radius)
        {
            var ring = Texture.HoleFilling.SamplingRing(hole, width, height, radius);
            if (region is not null) for (int i = 0; i < ring.Length; i++) ring[i] &= region[i];
            region = ring;
        }
        return region;
    }

    public static MethodDescriptor Uncrop { get; } = new()
    {
        Id = "texture.uncrop",
        Title = "Uncrop",
        About = "extends a picture beyond its borders: the new margin is grown from the picture's own patches, the picture kept exactly",
        UsesTorch = false,
        Reference = "Wexler et al. 2007; Resynthesizer's uncrop",
        Parameters =
        [
            P.Image("Image", "Picture", "pebbles", 96, primary: true, help: "the picture to extend"),
            P.Int("Border", "Border (px)", 1, 1024, 32, "pixels added on each extended side"),
            P.Choice("Sides", "Sides", "all", ["all", "left-right", "top-bottom"], "which sides grow: all four, the left and right, or the top and bottom"),
            P.Int("Patch", "Patch (px)", 3, 64, 7, "patch side at every level; larger keeps bigger structures"),
            P.Seed(),
        ],
        Validate = v =>
        {
            PatchFits(v, "Image");
            var image = v.Image("Image");
            int border = v.Int("Border");
            Optimization.Uncropping.Check(image.Width, image.Height, border, Optimization.Uncropping.ParseSides(v.Choice("Sides")));
            if ((long)(image.Width + 2 * border) * (image.Height + 2 * border) > (long)MaxSide * MaxSide)
                throw new AtelierUsageException($"{{Border}} {border}: the extended picture would exceed {MaxSide}x{MaxSide}");
        },
        Examples =
        [
            new("uncrop-pebbles", "pebbles grown 48 px on every side (the middle is the picture, unchanged)",
                new Dictionary<string, object?> { ["Image"] = new SampleImage("pebbles", 160), ["Border"] = 48 })
                { Quick = new Dictionary<string, object?> { ["Image"] = new SampleImage("pebbles", 64), ["Border"] = 16 } },
        ],
        Run = (v, run) => Timed(v, run, () =>
        {
            var options = new Optimization.TextureOptimizationOptions { MaxThreads = run.Threads, Patch = v.Int("Patch") };
            return Optimization.Uncropping.Extend(v.Image("Image"), v.Int("Border"), Optimization.Uncropping.ParseSides(v.Choice("Sides")),
                options, RandomOf(v), run.Progress, run.Cancellation);
        }),
    };

    public static MethodDescriptor Transfer { get; } = new()
    {
        Id = "texture.transfer",
        Title = "Texture transfer",
        About = "re-renders a target picture with a texture, its blocks chosen to follow the target's luminance",
        UsesTorch = false,
        Reference = "Efros and Freeman 2001",
        Parameters =
        [
            P.Image("Texture", "Texture", "weave", 64, help: "the texture to render the target with"),
            P.Image("Target", "Target", "bricks", 96, help: "the picture to re-render (its luminance guides the blocks)"),
            P.Choice("Engine", "Engine", "quilting", ["quilting", "optimise"],
                "quilting: Efros-Freeman's blocks, pass by pass; optimise: texture optimisation guided by the target's luminance (no block seams)"),
            P.OptionalFloat("Alpha", "Texture weight", 0, 1, 0.05, "a fixed texture weight (quilting default: the schedule 0.8 (i-1)/(N-1) + 0.1; optimise default 0.5, at least 0.05)"),
            P.Int("Iterations", "Iterations", 1, 20, 3, "quilting: passes, each with blocks a third smaller"),
            P.OptionalInt("Block", "First block (px)", 3, 1024, "quilting: first block size (default: a quarter of the texture's smaller side)"),
            P.Int("Patch", "Patch (px)", 3, 64, 7, "optimise: patch side at every level"),
            P.Seed(),
        ],
        Validate = v =>
        {
            bool optimise = v.Choice("Engine") == "optimise";
            if (optimise) { PatchFits(v, "Texture"); PatchFits(v, "Target"); } else BlockFits(v, "Texture");
            if (optimise) RefuseChanged("quilting", ("Iterations", v.Int("Iterations") != 3), ("Block", v.OptionalInt("Block") is not null));
            else RefuseChanged("optimise", ("Patch", v.Int("Patch") != 7));
            if (optimise && v.OptionalFloat("Alpha") is < 0.05)
                throw new AtelierUsageException($"{{Alpha}} {v.OptionalFloat("Alpha")}: the optimise engine needs at least 0.05 (0 would match on the target alone)");
        },
        Examples =
        [
            new("transfer", "bricks re-rendered with pebbles", new Dictionary<string, object?> { ["Texture"] = new SampleImage("pebbles", 96), ["Target"] = new SampleImage("bricks", 256, SeedOffset: 2), ["Iterations"] = 3 })
                { Quick = new Dictionary<string, object?> { ["Iterations"] = 1, ["Target"] = new SampleImage("bricks", 48, SeedOffset: 2) } },
        ],
        Run = (v, run) => Timed(v, run, () =>
        {
            if (v.Choice("Engine") == "optimise")
                return Optimization.TextureOptimization.Transfer(v.Image("Texture"), v.Image("Target"), v.OptionalFloat("Alpha") ?? 0.5,
                    new Optimization.TextureOptimizationOptions { MaxThreads = run.Threads, Patch = v.Int("Patch") }, RandomOf(v), run.Progress, run.Cancellation);
            var options = new TransferOptions { MaxThreads = run.Threads, Alpha = v.OptionalFloat("Alpha"), Iterations = v.Int("Iterations"), Block = v.OptionalInt("Block") ?? 0 };
            return TextureTransfer.Transfer(v.Image("Texture"), v.Image("Target"), options, RandomOf(v), run.Progress, run.Cancellation);
        }),
    };

    /// <summary>The tileable axes of a synthesis method (none by default; named alone: both).</summary>
    static MethodParameter Tileable() =>
        P.Tiling("Tileable", "Tileable", "make the output tile: x (left to right), y (top to bottom) or both; none by default");

    /// <summary>
    /// Settings of an engine other than the chosen one must stay at their defaults: changed, they would be silently
    /// ignored, so the change is refused naming the setting and the engine it belongs to.
    /// </summary>
    static void RefuseChanged(string engine, params (string Name, bool Changed)[] settings)
    {
        foreach (var (name, changed) in settings)
            if (changed) throw new AtelierUsageException($"{{{name}}}: a setting of the {engine} engine; choose that {{Engine}} or leave it at its default");
    }

    /// <summary>An odd window no larger than the picture it slides over (checked before any work).</summary>
    static void WindowFits(MethodValues v, string over)
    {
        int window = v.Int("Window");
        var image = v.Image(over);
        if (window % 2 == 0) throw new AtelierUsageException($"{{Window}} {window}: the window must be odd (it is centred on a pixel)");
        if (window > Math.Min(image.Width, image.Height))
            throw new AtelierUsageException($"{{Window}} {window}: {{{over}}} ({image.Width}x{image.Height}) is smaller than the {window}x{window} window");
    }

    /// <summary>A patch no larger than the picture patches are matched against.</summary>
    static void PatchFits(MethodValues v, string from)
    {
        var image = v.Image(from);
        int patch = v.Int("Patch");
        if (patch > Math.Min(image.Width, image.Height))
            throw new AtelierUsageException($"{{Patch}} {patch}: {{{from}}} ({image.Width}x{image.Height}) is smaller than the {patch}x{patch} patch");
    }

    /// <summary>A block (when given) no larger than the picture blocks are cut from.</summary>
    static void BlockFits(MethodValues v, string from)
    {
        var image = v.Image(from);
        if (v.OptionalInt("Block") is int block && block > Math.Min(image.Width, image.Height))
            throw new AtelierUsageException($"{{Block}} {block}: {{{from}}} ({image.Width}x{image.Height}) is smaller than the {block}x{block} block");
    }

    /// <summary>The seed as the texture methods draw from it (System.Random of the seed's low 32 bits, as the CLI always did).</summary>
    static Random RandomOf(MethodValues v) => new(unchecked((int)v.Seed()));

    /// <summary>The picture with its seed, time and the threads its search ran on (the result does not depend on them).</summary>
    static MethodResult Timed(MethodValues v, MethodContext context, Func<Imaging.Image> run)
    {
        var clock = Stopwatch.StartNew();
        var image = run();
        return new MethodResult(image, new Dictionary<string, object>
        {
            ["seed"] = v.Seed(), ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            ["threads"] = context.Threads > 0 ? context.Threads : Environment.ProcessorCount,
        });
    }
}
