using Atelier.Imaging;
using Atelier.Methods;
using Atelier.Models;
using Xunit;

namespace Atelier.Tests.Methods;

public class MethodContextTests
{
    sealed class Tracked : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void Resources_dispose_what_a_run_loaded_and_only_then()
    {
        var resources = new MethodResources();
        var loaded = new List<string>();
        var model = resources.Model("a.safetensors", path => { loaded.Add(path); return new Tracked(); });
        Assert.Equal(["a.safetensors"], loaded);
        // Asked again for the same file (a folder run, picture after picture): the same model, loaded once.
        Assert.Same(model, resources.Model("a.safetensors", path => { loaded.Add(path); return new Tracked(); }));
        Assert.Equal(["a.safetensors"], loaded);
        Assert.False(model.Disposed);
        resources.Dispose();
        Assert.True(model.Disposed);
    }

    sealed class Sink(bool wanted) : IPreviewSink
    {
        public int Shown;
        public bool Wanted => wanted;
        public void Show(Image image) => Shown++;
    }

    [Fact]
    public void A_preview_is_made_only_when_someone_wants_one()
    {
        int made = 0;
        Image Make() { made++; return new Image(2, 2, 3); }
        new MethodContext().ShowPreview(Make);
        var busy = new Sink(false);
        new MethodContext { Preview = busy }.ShowPreview(Make);
        Assert.Equal(0, made);
        var watching = new Sink(true);
        new MethodContext { Preview = watching }.ShowPreview(Make);
        Assert.Equal((1, 0, 1), (made, busy.Shown, watching.Shown));
    }

    static readonly MethodDescriptor WithModel = new()
    {
        Id = "test.model",
        Title = "Test",
        About = "a method with a model, a network and text",
        Parameters =
        [
            MethodParameter.Model("Model", "Network", ModelUse.FastStyle, [Atelier.Checkpoints.ArchitectureKind.FastStyle], value: "candy"),
            MethodParameter.Model("Decoder", "Decoder", ModelUse.AdaInDecoder, [Atelier.Checkpoints.ArchitectureKind.AdaInDecoder]),
            MethodParameter.Features(),
            MethodParameter.Text("Layers", "Layers"),
        ],
        Run = (_, _) => throw new InvalidOperationException("not run"),
    };

    [Fact]
    public void Models_networks_and_text_are_strings_with_defaults_required_and_optional_ones()
    {
        var v = MethodValues.Create(WithModel, new Dictionary<string, object?> { ["Decoder"] = "/models/decoder.pth" });
        Assert.Equal("candy", v.Text("Model"));
        Assert.Equal("/models/decoder.pth", v.Text("Decoder"));
        Assert.Equal(Atelier.Networks.FeatureNetworks.Default, v.Text("Features"));
        Assert.Null(v.OptionalText("Layers"));
        var missing = Assert.Throws<AtelierUsageException>(() => MethodValues.Create(WithModel, new Dictionary<string, object?>()));
        Assert.Contains("{Decoder}", missing.Template);
        var empty = Assert.Throws<AtelierUsageException>(() => MethodValues.Create(WithModel, new Dictionary<string, object?> { ["Decoder"] = " " }));
        Assert.Contains("{Decoder}: empty", empty.Template);
    }

    static readonly MethodDescriptor WithStyles = new()
    {
        Id = "test.styles",
        Title = "Test",
        About = "a method with weighted pictures",
        Parameters = [MethodParameter.Images("Style", "Style")],
        Run = (_, _) => throw new InvalidOperationException("not run"),
    };

    [Fact]
    public void Weighted_pictures_take_one_picture_as_weight_one_and_refuse_none_or_a_non_finite_weight()
    {
        var picture = new Image(4, 3, 3);
        var one = MethodValues.Create(WithStyles, new Dictionary<string, object?> { ["Style"] = picture }).Images("Style");
        Assert.Equal([new WeightedImage(picture, 1.0)], one);
        var two = MethodValues.Create(WithStyles, new Dictionary<string, object?> { ["Style"] = new[] { new WeightedImage(picture, 0.7), new WeightedImage(picture, 0.3) } });
        Assert.Equal([0.7, 0.3], two.Images("Style").Select(w => w.Weight));
        Assert.Equal(["4x3:0.7", "4x3:0.3"], (IEnumerable<string>)two.Describe()["Style"]!);
        Assert.Contains("{Style}: required", Assert.Throws<AtelierUsageException>(() => MethodValues.Create(WithStyles, new Dictionary<string, object?>())).Template);
        Assert.Contains("{Style}: at least one", Assert.Throws<AtelierUsageException>(() =>
            MethodValues.Create(WithStyles, new Dictionary<string, object?> { ["Style"] = Array.Empty<WeightedImage>() })).Template);
        Assert.Contains("must be a finite number", Assert.Throws<AtelierUsageException>(() =>
            MethodValues.Create(WithStyles, new Dictionary<string, object?> { ["Style"] = new WeightedImage(picture, double.NaN) })).Template);
    }

    sealed class StepSink : IPreviewSink
    {
        public readonly List<int> Steps = [];
        public bool Wanted => true;
        public int Every => 5;
        public void Show(Image image) => Steps.Add(-1);
        public void Show(Image image, int step) => Steps.Add(step);
    }

    [Fact]
    public void A_stepping_method_previews_as_often_as_its_sink_asks_and_names_the_step()
    {
        Assert.Equal(0, new MethodContext().PreviewEvery);
        Assert.Equal(1, new MethodContext { Preview = new Sink(true) }.PreviewEvery);
        var sink = new StepSink();
        var run = new MethodContext { Preview = sink };
        Assert.Equal(5, run.PreviewEvery);
        run.ShowPreview(10, () => new Image(2, 2, 3));
        run.ShowPreview(() => new Image(2, 2, 3));
        Assert.Equal([10, -1], sink.Steps);
        // A sink that knows no steps shows the picture all the same.
        var plain = new Sink(true);
        new MethodContext { Preview = plain }.ShowPreview(3, () => new Image(2, 2, 3));
        Assert.Equal(1, plain.Shown);
    }
}
