using System.Globalization;
using Atelier.Imaging;
using Atelier.Methods;
using Atelier.Studio.Jobs;

namespace Atelier.Studio.Methods;

/// <summary>
/// A registered library method (<see cref="MethodRegistry"/>) as the studio offers it: the form is drawn from its
/// parameters (field names are their camelCase names: Window -> window), the request's fields and uploads become its
/// values, and the library checks them before the job is queued, so a bad value is a 400 at once.
/// </summary>
public sealed class RegisteredMethod : StudioMethod
{
    readonly MethodDescriptor _method;
    readonly StudioLimits _limits;

    public RegisteredMethod(MethodDescriptor method, StudioLimits? limits = null)
    {
        _method = method;
        _limits = limits ?? StudioLimits.For(method.Id);
        Params = [.. method.Parameters.Select(ToParam)];
    }

    /// <summary>The registered method with this id, as the studio offers it.</summary>
    public static RegisteredMethod For(string id) =>
        new(MethodRegistry.Find(id) ?? throw new ArgumentException($"no registered method {id}"));

    public MethodDescriptor Method => _method;
    public override string Id => _method.Id;
    public override IReadOnlyList<string> FormerIds => _limits.FormerIds;
    public override string Panel => _limits.Panel ?? _method.Area;
    public override string Title => _method.Title;
    public override string About => _method.About + ".";
    public override IReadOnlyList<MethodParam> Params { get; }

    /// <summary>The form field of a parameter: its library name in camelCase.</summary>
    public static string FieldName(string parameter) => char.ToLowerInvariant(parameter[0]) + parameter[1..];

    /// <summary>
    /// Ready when every trained model it needs is in the list (a model with a built-in stand-in never holds it back);
    /// otherwise says which files load and where to put them.
    /// </summary>
    public override Availability Check(Models.ModelCatalog models)
    {
        foreach (var p in _method.Parameters.Where(p => p.Kind == ParameterKind.Model && p.BuiltIn is null))
            if (!models.Has([.. p.Architectures ?? []]))
                return Availability.Missing(_limits.Needs ?? $"{_method.Title} needs a {p.Label.ToLowerInvariant()}"
                    + (p.Accepts is { } files ? $": {files}" : "") + "; put one in the models folder (atelier studio --models DIR).");
        return Availability.Ready;
    }

    MethodParam ToParam(MethodParameter p)
    {
        var field = Field(p);
        return field with
        {
            Live = field.Live || _limits.Live.Contains(p.Name),
            LatentsMax = _limits.LatentsMax.TryGetValue(p.Name, out var offset) ? offset : field.LatentsMax,
            Hidden = _limits.Hidden.Contains(p.Name) || _limits.Fixed.ContainsKey(p.Name),
        };
    }

    MethodParam Field(MethodParameter p)
    {
        string name = FieldName(p.Name);
        return p.Kind switch
        {
            ParameterKind.Int => new MethodParam(name, p.Label + (p.Optional ? " (empty = auto)" : ""), "int")
                { Min = p.Min, Max = p.Max, Step = 1, Default = p.Default, Help = p.Help, Optional = p.Optional },
            ParameterKind.Float => new MethodParam(name, p.Label + (p.Optional ? " (empty = auto)" : ""), "float")
                { Min = p.Min, Max = p.Max, Step = p.Step, Default = p.Default, Help = p.Help, Optional = p.Optional },
            ParameterKind.Bool => MethodParam.Bool(name, p.Label, p.Default is true) with { Help = p.Help },
            ParameterKind.Choice => MethodParam.Choice(name, p.Label, (string)p.Default!, [.. p.Choices!]) with { Help = p.Help },
            ParameterKind.Tiling => MethodParam.Choice(name, p.Label, ((TileAxes)p.Default!).Name(), [.. p.Choices!]) with { Help = p.Help },
            ParameterKind.Seed => MethodParam.Seed(name, p.Label) with { Default = p.Default },
            // The studio offers squares, up to its own limit for the method.
            ParameterKind.Size => MethodParam.Int(name, p.Label, 16, Math.Min(p.MaxSide ?? 4096, _limits.MaxSide), DefaultSide(p), p.Help),
            ParameterKind.Image when _limits.Sketches.Contains(p.Name) => MethodParam.Sketch(name, p.Label, p.SampleSize ?? 256, p.Sample) with { Help = p.Help },
            ParameterKind.Image => MethodParam.Image(name, p.Label, p.Sample ?? "bricks", p.SampleSize ?? 64) with { Help = p.Help, Optional = p.Optional },
            // One picture, or two mixed by a slider; the command line blends any number.
            ParameterKind.Images => MethodParam.Image(name, p.Label, p.Sample ?? "bricks", p.SampleSize ?? 64) with
            {
                Help = p.Help,
                Mix = new(MethodParam.Image(name + "2", $"Second {p.Label.ToLowerInvariant()} (optional)", null, p.SampleSize ?? 64) with { Optional = true },
                    MethodParam.Float(MixWeight, $"Second {p.Label.ToLowerInvariant()}'s weight", 0, 1, 0.5, 0.05, live: true,
                        help: "the pictures are mixed with weights 1 - w and w (used only with a second picture)")),
            },
            ParameterKind.Mask => MethodParam.Mask(name, p.Label, FieldName(p.Over!)) with { Help = p.Help, Optional = p.Optional },
            // The studio offers the built-in networks only: a file on the server is not the web user's to name.
            ParameterKind.Features => MethodParam.Choice(name, p.Label, (string)p.Default!, [.. p.Choices!]) with { Help = p.Help },
            // One file here, where the command line may take several (a decoder per level).
            // The method's default (a shipped model's name) is preselected where it is listed.
            ParameterKind.Model => MethodParam.Model(name, p.Label, [.. p.Architectures ?? []]) with { Help = p.Help, BuiltIn = p.BuiltIn, Default = p.Default },
            ParameterKind.Text => new MethodParam(name, p.Label, "text") { Default = p.Default, Help = p.Help, Optional = p.Optional },
            ParameterKind.Latent => MethodParam.Code(name, p.Label, (long)p.Default!) with { Help = p.Help },
            _ => throw new ArgumentOutOfRangeException(nameof(p), p.Kind, null),
        };
    }

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var given = new Dictionary<string, object?>(StringComparer.Ordinal);
        double? mixWeight = null;
        foreach (var (name, value) in _limits.Fixed) given[name] = value;
        foreach (var p in _method.Parameters.Where(p => !_limits.Hidden.Contains(p.Name) && !_limits.Fixed.ContainsKey(p.Name)))
        {
            string field = FieldName(p.Name);
            given[p.Name] = p.Kind switch
            {
                ParameterKind.Image => await r.Uploads.ReadRgbAsync(r.Fields.Form, field, p.Required, ct),
                ParameterKind.Images => await Mixed(r, field, p, ct, w => mixWeight = w),
                // The page sends its canvas unpainted too: an optional mask with nothing painted is left out.
                ParameterKind.Mask => await r.Uploads.ReadMaskAsync(r.Fields.Form, field, p.Required, ct) is { } mask && (p.Required || mask.Data.Any(x => x >= 0.5f)) ? mask : null,
                ParameterKind.Int => Number(r, field, p, integer: true),
                ParameterKind.Float => Number(r, field, p, integer: false),
                ParameterKind.Size => SquareSize(r, field, p),
                ParameterKind.Seed => r.Fields.Long(field, p.Default is long seed ? seed : 1, 0, int.MaxValue),
                ParameterKind.Bool => r.Fields.Bool(field, p.Default is true),
                ParameterKind.Choice => r.Fields.Choice(field, (string)p.Default!, [.. p.Choices!]),
                ParameterKind.Tiling => TilingField(r, field, p),
                ParameterKind.Features => r.Fields.Choice(field, (string)p.Default!, [.. p.Choices!]),
                ParameterKind.Model => ModelPath(r, field, p),
                ParameterKind.Text => string.IsNullOrWhiteSpace(r.Fields.String(field)) ? null : r.Fields.String(field)!.Trim(),
                ParameterKind.Latent => Code(r, field, given.GetValueOrDefault("Model") as string),
                _ => null,
            };
        }
        var values = MethodValues.Create(_method, given);
        _limits.Check?.Invoke(values);
        _limits.CheckRequest?.Invoke(values, r);
        var device = (Func<TorchSharp.torch.Device>)(() => r.Device);
        return ctx =>
        {
            using var resources = new StudioResources(device);
            var result = _method.Run(values, new MethodContext(device)
                { Progress = ctx.Progress, Cancellation = ctx.CancellationToken, Preview = new JobPreview(ctx), Resources = resources });
            // A tileable result is shown beside a 2x2 tiling of itself, where a seam would show as a cross.
            var info = result.Info.ToDictionary(kv => kv.Key, kv => kv.Value);
            if (mixWeight is double w) info[MixWeight] = w;
            return new JobOutput(result.Image, info, result.Artifact)
                { Tiled = values.Tiles(_method) != TileAxes.None ? ImageOps.Tile(result.Image, 2, 2) : null };
        };
    }

    /// <summary>The field of a weighted mix's second picture's weight.</summary>
    const string MixWeight = "weight2";

    /// <summary>A weighted-pictures field: the picture (weight 1), or with the optional second one, the two weighted 1 - w and w.</summary>
    static async Task<object?> Mixed(MethodRequest r, string field, MethodParameter p, CancellationToken ct, Action<double> weighed)
    {
        var first = await r.Uploads.ReadRgbAsync(r.Fields.Form, field, p.Required, ct);
        var second = await r.Uploads.ReadRgbAsync(r.Fields.Form, field + "2", false, ct);
        if (first is null || second is null) return first;
        double w = r.Fields.Double(MixWeight, 0.5, 0, 1);
        weighed(w);
        return new List<WeightedImage> { new(first, 1 - w), new(second, w) };
    }

    /// <summary>
    /// A model field: a model id from /api/models (empty: the parameter's default, a shipped model's name); the
    /// built-in choice, or nothing for a model with a built-in stand-in, is null (the method then uses it).
    /// </summary>
    static string? ModelPath(MethodRequest r, string field, MethodParameter p)
    {
        var id = r.Fields.String(field);
        if (p.BuiltIn is not null && (string.IsNullOrWhiteSpace(id) || id == MethodParam.BuiltInId)) return null;
        if (string.IsNullOrWhiteSpace(id) && p.Default is string name) return Atelier.Models.ModelResolver.Resolve(name, p.Use!);
        return r.Models.Resolve(id, field, [.. p.Architectures ?? []]).Path;
    }

    /// <summary>
    /// A code field: "seed:N" (or N), or "job:ID", a finished inversion's code (its artifact) made with the generator
    /// the form names (<paramref name="model"/>, resolved first); empty leaves the default seed. Never a server file.
    /// </summary>
    internal static Atelier.StyleGan.LatentSource? Code(MethodRequest r, string field, string? model)
    {
        var text = r.Fields.String(field)?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (text.StartsWith("job:", StringComparison.Ordinal))
        {
            var id = text[4..];
            var job = r.Jobs?.Find(id) ?? throw new StudioRequestException(404, $"'{field}': no job '{(id.Length > 20 ? id[..20] : id)}' (finished jobs are forgotten after a while)");
            if (job.Artifact is not Atelier.StyleGan.InvertedCode code)
                throw new StudioRequestException(400, $"'{field}': job {id} holds no latent code (use a finished inversion)");
            if (model is not null && !code.BelongsTo(model))
                throw new StudioRequestException(400, $"'{field}': job {id} inverted with another generator; invert again with this one");
            return new Atelier.StyleGan.LatentSource.Inverted(code);
        }
        var digits = text.StartsWith("seed:", StringComparison.Ordinal) ? text[5..] : text;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seed) || seed > int.MaxValue)
            throw new StudioRequestException(400, $"'{field}': expected seed:N or job:ID, got '{Trim(text)}'");
        return new Atelier.StyleGan.LatentSource.Seed(seed);
    }

    sealed class JobPreview(JobContext job) : IPreviewSink
    {
        public bool Wanted => job.WantsPreview;
        public void Show(Image image) => job.Preview(image);
    }

    /// <summary>A number field: empty leaves the parameter out (its default, or auto when optional); the range is the library's to check.</summary>
    static object? Number(MethodRequest r, string field, MethodParameter p, bool integer)
    {
        var text = r.Fields.String(field);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (integer)
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
                : throw new StudioRequestException(400, $"'{p.Label}': expected a whole number, got '{Trim(text)}'");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d
            : throw new StudioRequestException(400, $"'{p.Label}': expected a number, got '{Trim(text)}'");
    }

    object? SquareSize(MethodRequest r, string field, MethodParameter p)
    {
        int side = r.Fields.Int(field, DefaultSide(p), 16, _limits.MaxSide);
        return (side, side);
    }

    /// <summary>The studio's default side: its own where it sets one (a server's CPU is shared), else the library's within the cap.</summary>
    int DefaultSide(MethodParameter p) => Math.Min(_limits.DefaultSide ?? ((ValueTuple<int, int>)p.Default!).Item1, _limits.MaxSide);

    /// <summary>A tiling field: a word (x, y, both, none), or a checkbox's true/false (both or none).</summary>
    static string TilingField(MethodRequest r, string field, MethodParameter p) => r.Fields.String(field)?.Trim().ToLowerInvariant() switch
    {
        "true" or "on" => TileAxes.Both.Name(),
        "false" or "off" => TileAxes.None.Name(),
        _ => r.Fields.Choice(field, ((TileAxes)p.Default!).Name(), [.. p.Choices!]),
    };

    static string Trim(string s) => s.Length <= 40 ? s : s[..40] + "...";
}

/// <summary>
/// What the studio allows a registered method beyond the library's own checks: a server shares its CPU between
/// people, so sizes are capped per method (an exact Efros-Leung grows every pixel by a full search), and where a
/// method goes on the page.
/// </summary>
public sealed record StudioLimits
{
    /// <summary>The page panel (null: the method's area).</summary>
    public string? Panel { get; init; }
    /// <summary>Largest output side.</summary>
    public int MaxSide { get; init; } = 768;
    /// <summary>Default output side, where the library's would be slow for an interactive page (null: the library's).</summary>
    public int? DefaultSide { get; init; }
    /// <summary>Further checks, after the library's: throw <see cref="StudioRequestException"/>.</summary>
    public Action<MethodValues>? Check { get; init; }
    /// <summary>The method's earlier studio ids, still answered.</summary>
    public IReadOnlyList<string> FormerIds { get; init; } = [];
    /// <summary>Parameters (library names) cheap enough to re-run on: their sliders run the method again as they move.</summary>
    public IReadOnlyList<string> Live { get; init; } = [];
    /// <summary>Checks that need the request too (what the model list knows of a chosen file).</summary>
    public Action<MethodValues, MethodRequest>? CheckRequest { get; init; }
    /// <summary>Image parameters drawn on a canvas (a sketch) rather than uploaded.</summary>
    public IReadOnlySet<string> Sketches { get; init; } = new HashSet<string>();
    /// <summary>What to say when the model list lacks the model the method needs (null: a line naming its kind).</summary>
    public string? Needs { get; init; }
    /// <summary>Sliders over a generator's latents, bounded by its w+ length plus this offset (<see cref="MethodParam.LatentsMax"/>).</summary>
    public IReadOnlyDictionary<string, int> LatentsMax { get; init; } = new Dictionary<string, int>();
    /// <summary>Parameters the studio does not offer (a file on the server is not the web user's to name): they keep their defaults.</summary>
    public IReadOnlySet<string> Hidden { get; init; } = new HashSet<string>();
    /// <summary>Parameters the studio does not offer and sets to its own value (the morph's one frame, under a live slider).</summary>
    public IReadOnlyDictionary<string, object> Fixed { get; init; } = new Dictionary<string, object>();

    public static StudioLimits For(string id) => id switch
    {
        "texture.efros-leung" or "texture.scanline" => new() { MaxSide = 256 },
        "texture.optimize" => new() { FormerIds = ["texture.optimise"] },
        // Uncropping completes the new margin: pictures of up to about 512x512 before it grows.
        "texture.uncrop" => new()
        {
            Panel = "fill",
            Check = v =>
            {
                var image = v.Image("Image");
                if ((long)image.Width * image.Height > 512 * 512)
                    throw new StudioRequestException(413, $"'Picture': uncropping grows the margin patch by patch; use at most 512x512 here (got {image.Width}x{image.Height})");
            },
        },
        "texture.fill" => new()
        {
            Panel = "fill",
            Check = v =>
            {
                var image = v.Image("Image");
                if ((long)image.Width * image.Height > 256 * 256)
                    throw new StudioRequestException(413, $"'Picture': hole filling searches the whole picture for every pixel; use at most 256x256 here (got {image.Width}x{image.Height})");
                int holes = v.Image("Mask").Data.Count(x => x >= 0.5f);
                if (holes > image.PlaneSize / 2) throw new StudioRequestException(400, "'Hole': more than half the picture is painted; leave enough to copy from");
            },
        },
        // Gatys optimises the picture step by step: small pictures and at most 2000 steps per job.
        "gatys.texture" => new() { Panel = "gatys", MaxSide = 256, DefaultSide = 64, Check = v => GatysCheck(v, "Sample") },
        "gatys.transfer" => new() { Panel = "gatys", MaxSide = 512, DefaultSide = 128, FormerIds = ["gatys.style"], Check = v => GatysCheck(v, "Content", "Style") },
        // One pass costs memory in proportion to the pixels: pictures of about a megapixel at most.
        "fast-style.stylize" => new() { Panel = "faststyle", FormerIds = ["style.fast"], Check = v => OnePassCheck(v, "Content") },
        "adain.stylize" => new() { Panel = "faststyle", FormerIds = ["style.adain"], Live = ["Alpha"], Check = v => OnePassCheck(v, "Content", "Style") },
        "pix2pix.translate" => new()
        {
            FormerIds = ["translate.pix2pix"],
            Sketches = new HashSet<string> { "Sketch" },
            Check = v => TranslationSize(v, "Sketch"),
            Needs = "Pix2Pix needs a trained generator: junyanz/pytorch-CycleGAN-and-pix2pix's latest_net_G.pth (e.g. edges2shoes, facades) loads directly; put it in the models folder (atelier studio --models DIR).",
        },
        "cyclegan.translate" => new()
        {
            FormerIds = ["translate.cyclegan"],
            Check = v => TranslationSize(v, "Image"),
            // Refused at once, where the library would find out only when the job loads the file.
            CheckRequest = (v, r) =>
            {
                if (v.Choice("Direction") == "BtoA" && !r.Models.Resolve(r.Fields.String("model"), "model", Atelier.Translation.TranslationMethods.Generators).Info.Is(Atelier.Checkpoints.ArchitectureKind.CycleGanRun))
                    throw new StudioRequestException(400, "'direction': BtoA needs a CycleGAN run checkpoint (with G_A and G_B); this file holds one generator");
            },
            Needs = "CycleGAN needs a trained generator: junyanz/pytorch-CycleGAN-and-pix2pix's pretrained files (e.g. horse2zebra.pth) load directly; put one in the models folder (atelier studio --models DIR).",
        },
        "stylegan.generate" => new()
        {
            FormerIds = ["stylegan.seeds"],
            Live = ["Seed", "Truncation"],
            Hidden = new HashSet<string> { "Latents", "Space" },
            Check = v =>
            {
                int count = v.OptionalText("Seeds") is { } seeds ? Atelier.StyleGan.SeedList.Parse(seeds).Count : v.Int("Count");
                if (count > 16) throw new StudioRequestException(413, $"'count': at most 16 images here (got {count})");
            },
            Needs = StyleGanModels.Needs,
        },
        "stylegan.mix" => new()
        {
            Live = ["Crossover"],
            // The crossover needs a latent after it.
            LatentsMax = new Dictionary<string, int> { ["Crossover"] = -1 },
            Check = v =>
            {
                int rows = v.OptionalText("Rows") is { } r ? Atelier.StyleGan.SeedList.Parse(r, "Rows").Count : v.Int("Count");
                int cols = v.OptionalText("Cols") is { } c ? Atelier.StyleGan.SeedList.Parse(c, "Cols").Count : v.Int("Count");
                if (rows > 4 || cols > 4) throw new StudioRequestException(413, $"'count': at most 4 seeds per side here (got {rows}x{cols})");
            },
            // Refused at once from what the model list knows of the file, where the library would find out only when the job loads it.
            CheckRequest = (v, r) =>
            {
                int latents = StyleGanModels.NLatent(StyleGanModels.Resolve(r).Info);
                if (v.OptionalText("Layers") is null && latents > 1 && v.Int("Crossover") >= latents)
                    throw new StudioRequestException(400, $"'crossover': {v.Int("Crossover")} must be below this generator's {latents} latents");
            },
            Needs = StyleGanModels.Needs,
        },
        "stylegan.invert" or "stylegan.superres" or "stylegan.inpaint" or "stylegan.sketch" or "stylegan.colorize" => new()
        {
            Panel = "inversion",
            Sketches = new HashSet<string> { "Sketch" },
            Check = v =>
            {
                var name = id == "stylegan.sketch" ? "Sketch" : "Image";
                var img = v.Image(name);
                if (img.Width < 4 || img.Height < 4 || (long)img.Width * img.Height > 2048 * 2048)
                    throw new StudioRequestException(413, $"'{RegisteredMethod.FieldName(name)}': use a picture between 4x4 and 2048x2048 here (got {img.Width}x{img.Height})");
                if (v.Int("Steps") > 5000) throw new StudioRequestException(413, $"'steps': at most 5000 here (got {v.Int("Steps")})");
                if (id == "stylegan.inpaint" && !v.Image("Mask").Data.Any(x => x >= 0.5f))
                    throw new StudioRequestException(400, "'mask': nothing is painted; paint the hole to fill");
            },
            Needs = StyleGanModels.Needs,
        },
        "stylegan.crossover" => new()
        {
            Panel = "inversion",
            Live = ["Split"],
            // A split may be the w+ length itself (everything from the shallow code).
            LatentsMax = new Dictionary<string, int> { ["Split"] = 0 },
            Hidden = new HashSet<string> { "Space" },
            // Refused at once from what the model list knows of the file, where the library would find out only when the job loads it.
            CheckRequest = (v, r) =>
            {
                int latents = StyleGanModels.NLatent(StyleGanModels.Resolve(r).Info);
                if (latents > 0 && v.Int("Split") > latents)
                    throw new StudioRequestException(400, $"'split': {v.Int("Split")} is out of range: this generator has {latents} latents (0..{latents})");
            },
            Needs = StyleGanModels.Needs,
        },
        // One blend between the two codes, its l on a live slider; the command line makes the whole strip.
        "stylegan.morph" => new()
        {
            Panel = "inversion",
            Live = ["Lambda"],
            Hidden = new HashSet<string> { "Space" },
            Fixed = new Dictionary<string, object> { ["Frames"] = 1 },
            Needs = StyleGanModels.Needs,
        },
        "stylegan.expression" => new() { Panel = "inversion", Hidden = new HashSet<string> { "Space" }, Needs = StyleGanModels.Needs },
        _ => new(),
    };

    /// <summary>A one-pass network's pictures, as uploaded and as the method would scale them: 16x16 to a megapixel.</summary>
    static void OnePassCheck(MethodValues v, params string[] pictures)
    {
        foreach (var (name, img) in pictures.SelectMany(n => n == "Style" ? v.Images(n).Select(s => (n, s.Image)) : [(n, v.Image(n))]))
        {
            var (w, h) = name == "Content" ? Atelier.Inference.AnySizeParameters.Sizing(v, 8).TargetSize(img.Width, img.Height)
                : v.OptionalInt("StyleSize") is int side ? (Math.Max(img.Width, img.Height) * side / Math.Min(img.Width, img.Height), side) : (img.Width, img.Height);
            foreach (var (width, height) in new[] { (img.Width, img.Height), (w, h) })
                if (width < 16 || height < 16 || (long)width * height > 1024 * 1024)
                    throw new StudioRequestException(413, $"'{RegisteredMethod.FieldName(name)}': use a picture between 16x16 and 1024x1024 here (got {width}x{height})");
        }
    }

    static void GatysCheck(MethodValues v, params string[] pictures)
    {
        foreach (var name in pictures)
        {
            var img = name == "Style" ? v.Images(name)[0].Image : v.Image(name);
            if (img.Width < 16 || img.Height < 16 || (long)img.Width * img.Height > 512 * 512)
                throw new StudioRequestException(400, $"'{RegisteredMethod.FieldName(name)}': use a picture between 16x16 and 512x512 here (got {img.Width}x{img.Height})");
        }
        if (v.Int("Iterations") > 2000) throw new StudioRequestException(400, $"'Steps': at most 2000 here (got {v.Int("Iterations")})");
    }

    /// <summary>A translation's picture, as given and as rescaled: between 16x16 and 1024x1024 here (the CLI takes any size, in tiles).</summary>
    static void TranslationSize(MethodValues v, string name)
    {
        var img = v.Image(name);
        if (img.Width < 16 || img.Height < 16 || (long)img.Width * img.Height > 1024 * 1024)
            throw new StudioRequestException(413, $"'{RegisteredMethod.FieldName(name)}': use a picture between 16x16 and 1024x1024 here (got {img.Width}x{img.Height})");
        var (w, h) = Atelier.Inference.AnySizeParameters.Sizing(v).TargetSize(img.Width, img.Height);
        if ((long)w * h > 1024 * 1024)
            throw new StudioRequestException(413, $"'size': the picture would be {w}x{h}; at most 1024x1024 pixels here");
    }
}
