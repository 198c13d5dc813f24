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
    public override string Panel => _limits.Panel ?? _method.Area;
    public override string Title => _method.Title;
    public override string About => _method.About + ".";
    public override IReadOnlyList<MethodParam> Params { get; }

    /// <summary>A method that needs a trained model (one without a shipped default) is ready once the model list has one of its kinds.</summary>
    public override Availability Check(Models.ModelCatalog models)
    {
        foreach (var p in _method.Parameters.Where(p => p.Kind == ParameterKind.Model && p.Default is null))
            if (!models.Has([.. p.Architectures ?? []]))
                return Availability.Missing(_limits.Needs ?? $"{_method.Title} needs a {p.Use!.What}; put one in the models folder (atelier studio --models DIR).");
        return Availability.Ready;
    }

    /// <summary>The form field of a parameter: its library name in camelCase.</summary>
    public static string FieldName(string parameter) => char.ToLowerInvariant(parameter[0]) + parameter[1..];

    MethodParam ToParam(MethodParameter p)
    {
        var field = Field(p);
        return field with
        {
            Live = field.Live || _limits.Live.Contains(p.Name),
            LatentsMax = _limits.LatentsMax.TryGetValue(p.Name, out var offset) ? offset : field.LatentsMax,
            Hidden = _limits.Hidden.Contains(p.Name),
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
            ParameterKind.Size => MethodParam.Int(name, p.Label, 16, Math.Min(p.MaxSide ?? 4096, _limits.MaxSide), Math.Min(((ValueTuple<int, int>)p.Default!).Item1, _limits.MaxSide), p.Help),
            ParameterKind.Image when _limits.Sketches.Contains(p.Name) => MethodParam.Sketch(name, p.Label, p.SampleSize ?? 256) with { Help = p.Help },
            ParameterKind.Image => MethodParam.Image(name, p.Label, p.Sample ?? "bricks", p.SampleSize ?? 64) with { Help = p.Help, Optional = p.Optional },
            ParameterKind.Mask => MethodParam.Mask(name, p.Label, FieldName(p.Over!)) with { Help = p.Help },
            // The studio offers the built-in networks only: a file on the server is not the web user's to name.
            ParameterKind.Features => MethodParam.Choice(name, p.Label, (string)p.Default!, [.. p.Choices!]) with { Help = p.Help },
            ParameterKind.Model => MethodParam.Model(name, p.Label, [.. p.Architectures ?? []]) with { Help = p.Help },
            ParameterKind.Text => new MethodParam(name, p.Label, "text") { Default = p.Default, Help = p.Help, Optional = p.Optional },
            ParameterKind.Latent => MethodParam.Code(name, p.Label, (long)p.Default!) with { Help = p.Help },
            _ => throw new ArgumentOutOfRangeException(nameof(p), p.Kind, null),
        };
    }

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest r, CancellationToken ct)
    {
        var given = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in _method.Parameters.Where(p => !_limits.Hidden.Contains(p.Name)))
        {
            string field = FieldName(p.Name);
            given[p.Name] = p.Kind switch
            {
                ParameterKind.Image => await r.Uploads.ReadRgbAsync(r.Fields.Form, field, p.Required, ct),
                ParameterKind.Mask => await r.Uploads.ReadMaskAsync(r.Fields.Form, field, p.Required, ct),
                ParameterKind.Int => Number(r, field, p, integer: true),
                ParameterKind.Float => Number(r, field, p, integer: false),
                ParameterKind.Size => SquareSize(r, field, p),
                ParameterKind.Seed => r.Fields.Long(field, p.Default is long seed ? seed : 1, 0, int.MaxValue),
                ParameterKind.Bool => r.Fields.Bool(field, p.Default is true),
                ParameterKind.Choice => r.Fields.Choice(field, (string)p.Default!, [.. p.Choices!]),
                ParameterKind.Tiling => r.Fields.Choice(field, ((TileAxes)p.Default!).Name(), [.. p.Choices!]),
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
            return new JobOutput(result.Image, result.Info.ToDictionary(kv => kv.Key, kv => kv.Value), result.Artifact)
                { Tiled = values.Tiles(_method) != TileAxes.None ? ImageOps.Tile(result.Image, 2, 2) : null };
        };
    }

    /// <summary>A model field: a model id from /api/models (empty: the parameter's default, a shipped model's name).</summary>
    static string? ModelPath(MethodRequest r, string field, MethodParameter p)
    {
        var id = r.Fields.String(field);
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
        var fallback = Math.Min(((ValueTuple<int, int>)p.Default!).Item1, _limits.MaxSide);
        int side = r.Fields.Int(field, fallback, 16, _limits.MaxSide);
        return (side, side);
    }

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
    /// <summary>Further checks, after the library's: throw <see cref="StudioRequestException"/>.</summary>
    public Action<MethodValues>? Check { get; init; }
    /// <summary>Checks that need the request too (what the model list knows of a chosen file).</summary>
    public Action<MethodValues, MethodRequest>? CheckRequest { get; init; }
    /// <summary>Image parameters drawn on a canvas (a sketch) rather than uploaded.</summary>
    public IReadOnlySet<string> Sketches { get; init; } = new HashSet<string>();
    /// <summary>What to say when the model list lacks the model the method needs (null: a line naming its kind).</summary>
    public string? Needs { get; init; }
    /// <summary>Sliders that re-run the method when moved (<see cref="MethodParam.Live"/>).</summary>
    public IReadOnlySet<string> Live { get; init; } = new HashSet<string>();
    /// <summary>Sliders over a generator's latents, bounded by its w+ length plus this offset (<see cref="MethodParam.LatentsMax"/>).</summary>
    public IReadOnlyDictionary<string, int> LatentsMax { get; init; } = new Dictionary<string, int>();
    /// <summary>Parameters the studio does not offer (a file on the server is not the web user's to name): they keep their defaults.</summary>
    public IReadOnlySet<string> Hidden { get; init; } = new HashSet<string>();

    public static StudioLimits For(string id) => id switch
    {
        "texture.efros-leung" or "texture.scanline" => new() { MaxSide = 256 },
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
        "pix2pix.translate" => new()
        {
            Sketches = new HashSet<string> { "Sketch" },
            Check = v => TranslationSize(v, "Sketch"),
            Needs = "Pix2Pix needs a trained generator: junyanz/pytorch-CycleGAN-and-pix2pix's latest_net_G.pth (e.g. edges2shoes, facades) loads directly; put it in the models folder (atelier studio --models DIR).",
        },
        "cyclegan.translate" => new()
        {
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
            Live = new HashSet<string> { "Seed", "Truncation" },
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
            Live = new HashSet<string> { "Crossover" },
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
            Live = new HashSet<string> { "Split" },
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
        "stylegan.expression" => new() { Panel = "inversion", Hidden = new HashSet<string> { "Space" }, Needs = StyleGanModels.Needs },
        _ => new(),
    };

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
