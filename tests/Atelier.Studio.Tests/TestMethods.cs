using Atelier.Imaging;
using Atelier.Runtime;
using Atelier.Studio.Jobs;
using Atelier.Studio.Methods;

namespace Atelier.Studio.Tests;

/// <summary>
/// Small real methods used to exercise the studio's machinery (queue, events, cancel, timeout) independently
/// of the library's heavy methods: their outputs are computed from the inputs and checked by the tests.
/// </summary>
public sealed class InvertMethod : StudioMethod
{
    public override string Id => "test.invert";
    public override string Panel => "texture";
    public override string Title => "Invert (test)";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("source", "Source"),
        MethodParam.Float("amount", "Amount", 0, 1, 1, 0.05, live: true),
    ];

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest request, CancellationToken ct)
    {
        var source = (await request.Uploads.ReadRgbAsync(request.Fields.Form, "source", required: true, ct))!;
        var amount = (float)request.Fields.Double("amount", 1, 0, 1);
        return _ =>
        {
            var output = source.Clone();
            for (int i = 0; i < output.Data.Length; i++) output.Data[i] = amount * (1 - output.Data[i]) + (1 - amount) * output.Data[i];
            return new JobOutput(output, new Dictionary<string, object> { ["amount"] = amount });
        };
    }
}

/// <summary>A long job: `steps` steps of `delayMs` each, with progress and a preview per step; stops on cancel.</summary>
public sealed class SlowMethod : StudioMethod
{
    public override string Id => "test.slow";
    public override string Panel => "gatys";
    public override string Title => "Slow (test)";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Int("steps", "Steps", 1, 10000, 200),
        MethodParam.Int("delayMs", "Delay per step (ms)", 0, 1000, 50),
    ];

    public override Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest request, CancellationToken ct)
    {
        int steps = request.Fields.Int("steps", 200, 1, 10000);
        int delay = request.Fields.Int("delayMs", 50, 0, 1000);
        Func<JobContext, JobOutput> work = ctx =>
        {
            var img = new Image(8, 8, 1);
            for (int s = 1; s <= steps; s++)
            {
                ctx.CancellationToken.ThrowIfCancellationRequested();
                if (delay > 0) ctx.CancellationToken.WaitHandle.WaitOne(delay);
                Array.Fill(img.Data, (float)s / steps);
                ctx.Progress.Report(new ProgressReport(s, steps, "stepping", new Dictionary<string, double> { ["level"] = (double)s / steps }));
                if (ctx.WantsPreview) ctx.Preview(img);
            }
            return new JobOutput(img, new Dictionary<string, object> { ["steps"] = steps });
        };
        return Task.FromResult(work);
    }
}

/// <summary>Fills the painted mask with the mean colour of the unpainted pixels (a real, checkable fill).</summary>
public sealed class MeanFillMethod : StudioMethod
{
    public override string Id => "test.meanfill";
    public override string Panel => "fill";
    public override string Title => "Mean fill (test)";
    public override IReadOnlyList<MethodParam> Params { get; } =
    [
        MethodParam.Image("image", "Picture", "bricks", 64),
        MethodParam.Mask("mask", "Hole", "image"),
    ];

    public override async Task<Func<JobContext, JobOutput>> PrepareAsync(MethodRequest request, CancellationToken ct)
    {
        var image = (await request.Uploads.ReadRgbAsync(request.Fields.Form, "image", true, ct))!;
        var mask = (await request.Uploads.ReadMaskAsync(request.Fields.Form, "mask", true, ct))!;
        if (mask.Width != image.Width || mask.Height != image.Height)
            throw new StudioRequestException(400, "'mask': must be the picture's size");
        int holes = mask.Data.Count(v => v > 0.5f);
        if (holes == 0) throw new StudioRequestException(400, "'mask': paint the region to fill first");
        return _ =>
        {
            var output = image.Clone();
            int n = image.PlaneSize;
            for (int c = 0; c < 3; c++)
            {
                double sum = 0; int count = 0;
                for (int i = 0; i < n; i++) if (mask.Data[i] < 0.5f) { sum += image.Data[c * n + i]; count++; }
                float mean = count > 0 ? (float)(sum / count) : 0.5f;
                for (int i = 0; i < n; i++) if (mask.Data[i] >= 0.5f) output.Data[c * n + i] = mean;
            }
            return new JobOutput(output, new Dictionary<string, object> { ["filled"] = holes });
        };
    }
}

/// <summary>The test methods, as one set for a studio.</summary>
public sealed class StudioMethodsForTests
{
    public IReadOnlyList<StudioMethod> All { get; } = [new InvertMethod(), new SlowMethod(), new MeanFillMethod()];
}
