using Atelier.Studio.Methods;
using Atelier.Studio.Tests.Methods;

namespace Atelier.Studio.Tests.Api;

/// <summary>
/// Seeded jobs give the same picture whether they run alone or beside others: every random draw a studio method makes
/// comes from a generator of its own job (a torch.Generator or a System.Random seeded from the form), never from a
/// process-wide one that a concurrent job would advance.
/// </summary>
public class ConcurrentSeedTests
{
    static Action<MultipartFormDataContent> Gatys(int seed) => f =>
    {
        StudioHarness.AddFile(f, "sample", StudioStopTests.Sample, "p.png");
        f.Add(new StringContent("32"), "size");
        f.Add(new StringContent("3"), "iterations");
        f.Add(new StringContent(seed.ToString()), "seed");
    };

    static Action<MultipartFormDataContent> Quilting(int seed) => f =>
    {
        StudioHarness.AddFile(f, "sample", StudioStopTests.Sample, "p.png");
        f.Add(new StringContent("64"), "size");
        f.Add(new StringContent(seed.ToString()), "seed");
    };

    [Fact]
    public async Task Two_seeded_jobs_at_once_give_their_single_job_results()
    {
        using var dir = TestPaths.NewTempDir();
        using (StyleGanMethodTests.SaveTinyGenerator(dir.File("tiny.safetensors"))) { }
        await using var s = await StudioHarness.StartAsync(o => { o.MaxConcurrentJobs = 2; o.ModelsDirectory = dir.Path; o.ModelRescanInterval = TimeSpan.Zero; });
        var model = (await s.GetJsonAsync("/api/models")).EnumerateArray().Single().GetProperty("id").GetString()!;
        Action<MultipartFormDataContent> Seeds(int seed) => f =>
        {
            f.Add(new StringContent(model), "model");
            f.Add(new StringContent(seed.ToString()), "seed");
            f.Add(new StringContent("2"), "count");
        };
        var jobs = new (string Method, Action<MultipartFormDataContent> Form)[]
        {
            ("gatys.texture", Gatys(7)), ("gatys.texture", Gatys(9)),
            ("texture.quilting", Quilting(7)), ("texture.quilting", Quilting(9)),
            ("stylegan.generate", Seeds(3)), ("stylegan.generate", Seeds(5)),
        };
        // Alone, one after another.
        var alone = new List<float[]>();
        foreach (var (method, form) in jobs) alone.Add((await s.RunJobAsync(method, form)).Image.Data);
        Assert.NotEqual(alone[0], alone[1]); // the seed matters
        Assert.NotEqual(alone[4], alone[5]);

        // In pairs, several times: a job of one kind beside a job of another.
        for (int round = 0; round < 3; round++)
            for (int i = 0; i < jobs.Length; i++)
            {
                int j = (i + 2 + round) % jobs.Length;
                if (j == i) continue;
                var both = await Task.WhenAll(s.RunJobAsync(jobs[i].Method, jobs[i].Form), s.RunJobAsync(jobs[j].Method, jobs[j].Form));
                Assert.True(alone[i].AsSpan().SequenceEqual(both[0].Image.Data), $"{jobs[i].Method} #{i} beside #{j} differs from its single-job result");
                Assert.True(alone[j].AsSpan().SequenceEqual(both[1].Image.Data), $"{jobs[j].Method} #{j} beside #{i} differs from its single-job result");
            }
    }
}
