using Atelier.Imaging;
using Atelier.Runtime;
using Device = TorchSharp.torch.Device;

namespace Atelier.Methods;

/// <summary>
/// Where a front end shows the picture as it forms (the studio's live preview). Methods that make intermediate pictures
/// (Gatys, inversion) ask <see cref="Wanted"/> first, so a picture is copied out of the network only when it will be shown.
/// </summary>
public interface IPreviewSink
{
    /// <summary>True when a new picture is welcome now (a front end shows a few a second at most).</summary>
    bool Wanted { get; }
    void Show(Image image);

    /// <summary>
    /// Every how many steps a method that counts its steps (an optimisation) makes a picture for this sink: a live view
    /// takes each (and shows what <see cref="Wanted"/> lets through), a sink that writes files asks for fewer.
    /// </summary>
    int Every => 1;

    /// <summary>The picture after <paramref name="step"/> steps; a sink that names its files by step overrides this.</summary>
    void Show(Image image, int step) => Show(image);
}

/// <summary>
/// What one run of a registered method gets from its front end besides its values: where to report progress, when to
/// stop, where to show intermediate pictures, the torch device, and the networks and models it borrows.
/// </summary>
public sealed class MethodContext
{
    readonly Func<Device>? _device;

    public MethodContext(Func<Device>? device = null) => _device = device;

    public IProgress<ProgressReport>? Progress { get; init; }
    public CancellationToken Cancellation { get; init; }
    /// <summary>Null when nobody watches the run (the CLI, the bench).</summary>
    public IPreviewSink? Preview { get; init; }
    /// <summary>Something the person should know about how the run was done (a fallback taken); null: nobody listens.</summary>
    public Action<string>? Note { get; init; }
    /// <summary>Networks and models the run borrows; the front end owns them (a run never disposes them).</summary>
    public MethodResources Resources { get; init; } = new();
    /// <summary>Where a warning about this run goes (a result that may not be what was meant); null: nowhere.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>
    /// Threads a method's own parallel loops may use (the texture engines' searches); 0: every processor. Results do
    /// not depend on it. (libtorch's threads are the front end's to set, process-wide.)
    /// </summary>
    public int Threads { get; init; }

    /// <summary>The torch device (CPU unless the front end chose one); asked for only by methods that use torch.</summary>
    public Device Device => _device?.Invoke() ?? TorchSharp.torch.CPU;

    /// <summary>Shows <paramref name="image"/> if someone watches and wants one now; <paramref name="make"/> runs only then.</summary>
    public void ShowPreview(Func<Image> make)
    {
        if (Preview is { Wanted: true } sink) sink.Show(make());
    }

    /// <summary>Every how many steps a stepping method should make a picture (0: nobody watches).</summary>
    public int PreviewEvery => Preview is { } sink ? Math.Max(1, sink.Every) : 0;

    /// <summary>Shows the picture after <paramref name="step"/> steps if someone watches and wants one now.</summary>
    public void ShowPreview(int step, Func<Image> make)
    {
        if (Preview is { Wanted: true } sink) sink.Show(make(), step);
    }
}
