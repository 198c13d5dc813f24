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
}
