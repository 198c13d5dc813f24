using Atelier.Imaging;
using Atelier.Studio.Methods;

namespace Atelier.Studio.Tests.Methods;

/// <summary>The library's usage errors reach a web user in the form's words: its field labels, not CLI flags or property names.</summary>
public class FieldSpellingTests
{
    [Fact]
    public void Names_match_fields_ignoring_case_and_separators_and_others_are_humanized()
    {
        var spelling = new FieldSpelling([MethodParam.Int("batch_size", "Images per step", 1, 8, 1), MethodParam.Int("cropSize", "Crop", 16, 256, 64)]);
        Assert.Equal("'Images per step'", spelling.Spell("BatchSize"));
        Assert.Equal("'Crop'", spelling.Spell("CropSize"));
        Assert.Equal("max memory", spelling.Spell("MaxMemory"));
        Assert.Equal("n layers d", FieldSpelling.Humanize("NLayersD"));
        Assert.Equal("r1", FieldSpelling.Humanize("R1"));

        var e = new AtelierUsageException("{BatchSize} 0: must be at most {CropSize} 64");
        Assert.Equal("'Images per step' 0: must be at most 'Crop' 64", spelling.Message(e));
        // A message that names no parameter is shown as it is, braces included.
        Assert.Equal("{BatchSize} is text here", spelling.Message(new AtelierException("{BatchSize} is text here")));
    }

    [Fact]
    public async Task A_usage_error_from_the_library_names_the_field_by_its_label()
    {
        await using var s = await StudioHarness.StartAsync(methods: [RegisteredMethod.For("texture.scanline")]);
        // The registry checks the levels' range and the window against the sample, but not whether the coarsest
        // pyramid level still holds a window: 4 levels of a 20 px sample leave 3 px, so the library refuses ScanlineOptions.Levels.
        var (status, body) = await s.PostFormAsync("/api/jobs/texture.scanline", f =>
        {
            StudioHarness.AddFile(f, "sample", StudioImages.EncodePng(ProceduralSamples.Make("pebbles", 20)), "pebbles.png");
            f.Add(new StringContent("24"), "size");
            f.Add(new StringContent("9"), "window");
            f.Add(new StringContent("4"), "levels");
        });
        Assert.True(status == 202, body.ToString());
        var done = await s.WaitForJobAsync(body.GetProperty("id").GetString()!, TimeSpan.FromSeconds(60));
        Assert.Equal("failed", done.GetProperty("state").GetString());
        var error = done.GetProperty("error").GetString()!;
        Assert.StartsWith("'Pyramid levels' 4: at the coarsest level", error);
        Assert.DoesNotContain("--levels", error);
        Assert.DoesNotContain("Levels 4", error);
    }
}
