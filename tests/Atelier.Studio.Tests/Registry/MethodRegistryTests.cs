using Atelier.Methods;
using Atelier.Studio.Methods;

namespace Atelier.Studio.Tests.Registry;

/// <summary>Every registered method is offered by each front end, with the same parameters and defaults.</summary>
public class MethodRegistryTests
{
    public static TheoryData<string> Ids => [.. MethodRegistry.All.Select(m => m.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_method_is_a_cli_command_with_a_flag_per_parameter(string id)
    {
        var method = MethodRegistry.Find(id)!;
        var root = Atelier.Cli.Program.BuildRoot();
        var area = Assert.Single(root.Subcommands, c => c.Name == method.Area);
        var verb = Assert.Single(area.Subcommands, c => c.Name == method.Verb);
        foreach (var p in method.Parameters.Where(p => p.Kind != ParameterKind.Seed))
        {
            if (p.Primary) { Assert.Single(verb.Arguments, a => a.Name == p.Name.ToUpperInvariant()); continue; }
            var flag = "--" + Atelier.Cli.Infrastructure.CliContext.Kebab(p.Name);
            var noFlag = "--no-" + Atelier.Cli.Infrastructure.CliContext.Kebab(p.Name);
            Assert.True(verb.Options.Any(o => o.Name == flag || o.Name == noFlag), $"{id}: no {flag} on `{method.Area} {method.Verb}`");
        }
        Assert.Contains(verb.Options, o => o.Name == "--output");
        // The CLI's help shows the library's default.
        foreach (var p in method.Parameters.Where(p => p.Kind is ParameterKind.Int && p.Default is not null))
            Assert.Contains($"[default: {p.Default}]", verb.Options.Single(o => o.Name == "--" + Atelier.Cli.Infrastructure.CliContext.Kebab(p.Name)).Description);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_method_is_a_studio_method_with_a_field_per_parameter(string id)
    {
        var method = MethodRegistry.Find(id)!;
        var studio = Assert.Single(MethodSet.All(), m => m.Id == id);
        Assert.Equal(method.Title, studio.Title);
        Assert.Equal(method.Parameters.Select(p => RegisteredMethod.FieldName(p.Name)), studio.Params.Select(p => p.Name));
        foreach (var (p, field) in method.Parameters.Zip(studio.Params))
            if (p.Kind is ParameterKind.Int or ParameterKind.Float or ParameterKind.Bool or ParameterKind.Choice)
                Assert.Equal(p.Default, field.Default);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_example_names_pictures_and_models_this_build_ships_and_values_the_method_accepts(string id)
    {
        var method = MethodRegistry.Find(id)!;
        foreach (var example in method.Examples)
            foreach (var quick in new[] { false, true })
            {
                var given = example.Resolve(method, quick, seed: 1);
                // Validates every value against its parameter, shipped model files included.
                var values = MethodValues.Create(method, MethodExample.WithModelFiles(method, given));
                foreach (var p in method.Parameters.Where(p => p.Kind == ParameterKind.Model && given.ContainsKey(p.Name)))
                    Assert.True(File.Exists(values.Text(p.Name)), $"{id} {example.Name}: {values.Text(p.Name)}");
            }
    }

    [Fact]
    public void The_shipped_glyph_generator_gives_every_StyleGAN_method_but_colourisation_an_example()
    {
        Assert.Contains(Atelier.Models.ShippedModels.All(), m => m.Name == "stylegan-glyphs");
        foreach (var method in MethodRegistry.InArea("stylegan").Where(m => m.Id != "stylegan.colorize"))
            Assert.True(method.Examples.Count > 0, $"{method.Id} has no example");
        // The generator is the StyleGAN methods' default, and the inversions open on a glyph of a typeface it never saw.
        Assert.Equal("stylegan-glyphs", MethodRegistry.Find("stylegan.generate")!.Parameters.Single(p => p.Name == "Model").Default);
        Assert.Equal("goudy-R", MethodRegistry.Find("stylegan.invert")!.Parameters.Single(p => p.Name == "Image").Sample);
    }

    [Fact]
    public void The_shipped_pix2pix_is_the_default_with_the_sketch_of_each_shipped_photo_as_an_example()
    {
        var method = MethodRegistry.Find("pix2pix.translate")!;
        Assert.Equal("pix2pix-sketch", method.Parameters.Single(p => p.Name == "Model").Default);
        Assert.Equal("clock-sketch", method.Parameters.Single(p => p.Name == "Sketch").Sample);
        Assert.Equal(Atelier.Imaging.ShippedPictures.Photos.All().Select(p => "sketch-" + p.Name), method.Examples.Select(e => e.Name));
        // The example's input is the photo's XDoG sketch: strokes on white, the photo's shape, 256 px on its shorter side.
        var sketch = (Atelier.Imaging.Image)method.Examples[0].Resolve(method, quick: false, seed: 1)["Sketch"]!;
        var photo = Atelier.Imaging.ShippedPictures.Photos.All()[0].Load();
        Assert.Equal(256, Math.Min(sketch.Width, sketch.Height));
        Assert.InRange((double)sketch.Width / sketch.Height, (double)photo.Width / photo.Height - 0.01, (double)photo.Width / photo.Height + 0.01);
        Assert.True(sketch.Data.Average() > 0.6, "mostly white paper");
        Assert.True(sketch.Data.Count(v => v < 0.3f) > sketch.Data.Length / 100, "with dark strokes");
    }

    [Fact]
    public void The_shipped_CycleGAN_is_the_translation_default_with_an_example_each_way()
    {
        var method = MethodRegistry.Find("cyclegan.translate")!;
        Assert.Equal("cyclegan-serif-sans", method.Parameters.Single(p => p.Name == "Model").Default);
        Assert.Equal("nimbus-roman-SERIF", method.Parameters.Single(p => p.Name == "Image").Sample);
        Assert.Equal(["AtoB", "BtoA"], method.Examples.Select(e => e.Values["Direction"]));
        // The words are shipped 128 px high, the size the pair was trained at; the quick run halves them.
        var word = (Atelier.Imaging.Image)method.Examples[0].Resolve(method, quick: false, seed: 1)["Image"]!;
        Assert.Equal((640, 128), (word.Width, word.Height));
        var small = (Atelier.Imaging.Image)method.Examples[0].Resolve(method, quick: true, seed: 1)["Image"]!;
        Assert.Equal((320, 64), (small.Width, small.Height));
    }

    [Fact]
    public void Ids_are_unique_and_read_area_dot_verb()
    {
        Assert.Equal(MethodRegistry.All.Count, MethodRegistry.All.Select(m => m.Id).Distinct().Count());
        foreach (var m in MethodRegistry.All)
        {
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*\\.[a-z0-9-]+$", m.Id); // an area may be two words (fast-style)
            Assert.All(m.Parameters, p => Assert.Matches("^[A-Z][A-Za-z0-9]*$", p.Name));
        }
    }

    [Fact]
    public void A_former_studio_id_still_reaches_its_method()
    {
        var panels = new PanelCatalog(MethodSet.All());
        Assert.Equal("gatys.transfer", panels.Find("gatys.style")!.Id);
        Assert.Equal("gatys.texture", panels.Find("gatys.texture")!.Id);
        Assert.Null(panels.Find("gatys.nothing"));
    }
}
