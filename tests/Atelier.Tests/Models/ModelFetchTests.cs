using System.IO.Compression;
using System.Security.Cryptography;
using Atelier.Checkpoints;
using Atelier.Models;
using Atelier.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Models;

/// <summary>
/// Fetching catalogue models from a loopback server that misbehaves on purpose: a dropped connection is resumed, wrong
/// bytes are refused and deleted, 404 and 500 and stalls fail (500 and stalls after retries), a zip naming ../ is
/// refused, two fetches of one name take turns, offline and unreachable fail at once with one line. No test touches
/// the internet: every address is 127.0.0.1.
/// </summary>
public class ModelFetchTests
{
    /// <summary>Patient enough for a loaded CI machine, quick to give up on a server that stalls on purpose.</summary>
    static readonly FetchOptions Quick = new() { StallTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(5), Retries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) };

    /// <summary>A small checkpoint Atelier writes: a safetensors file of one seeded 128x128 tensor (64 kB).</summary>
    static byte[] Checkpoint(TempDir dir, int seed)
    {
        manual_seed(seed);
        var path = dir.File($"fixture{seed}.safetensors");
        using (var t = randn(128, 128)) SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = t });
        return File.ReadAllBytes(path);
    }

    static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    static CatalogueEntry Entry(string name, string url, string? sha256 = null, string? prefix = null, long? size = null, ArchiveMember? archive = null) =>
        new() { Name = name, Kind = "fast-style", File = name + ".pth", Urls = [url], Sha256 = sha256, HashPrefix = prefix, Size = size, Archive = archive, LicenceShort = "test" };

    static ModelStore Store(TempDir dir, FetchOptions? options = null, params CatalogueEntry[] entries) =>
        new(new Catalogue(entries), new ModelCache(dir.File("cache")), options ?? Quick);

    [Fact]
    public void AFileWithAPublishedHashIsFetchedOnceCheckedAndRecorded()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var bytes = Checkpoint(dir, 1);
        server.Route("/m.pth", Reply.File(bytes));
        var entry = Entry("m", server.Url("/m.pth"), sha256: Sha(bytes), size: bytes.Length);
        var store = Store(dir, null, entry);
        var reports = new List<ProgressReport>();

        var path = store.Fetch(entry, new InlineProgress(reports.Add));
        Assert.Equal(store.Cache.PathOf(entry), path);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        var record = FileRecord.Read(path)!;
        Assert.Equal((bytes.Length, Sha(bytes), FileRecord.Published), (record.Size, record.Sha256, record.Trust));
        Assert.False(File.Exists(path + ".part"));
        // Progress: bytes so far, the total, a rate; the last report is the whole file.
        Assert.Equal((bytes.Length, (long)bytes.Length), (reports[^1].Step, reports[^1].Total));
        Assert.True(reports[^1].Metrics!["MB/s"] > 0);
        Assert.Equal(bytes.Length / 1e6, reports[^1].Metrics!["MB"], 9);

        // A second fetch uses the cache (and checks it): no request.
        Assert.Equal(path, store.Fetch(entry));
        Assert.Equal(1, server.CountFor("/m.pth"));
        // A loaded checkpoint: what was served is a readable file.
        using var loaded = Atelier.Checkpoints.Checkpoint.Load(path);
        Assert.Equal([128L, 128L], loaded.StateDict["w"].shape);
    }

    [Fact]
    public void ADroppedConnectionIsResumedWithARangeRequest()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var bytes = Checkpoint(dir, 2);
        long half = bytes.Length / 2 + 123;
        server.Route("/m.pth", n => n == 0 ? Reply.File(bytes) with { DropAt = half } : Reply.File(bytes));
        var entry = Entry("m", server.Url("/m.pth"), prefix: Sha(bytes)[..8]);
        var store = Store(dir, null, entry);

        var path = store.Fetch(entry);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        var requests = server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].RangeFrom);
        Assert.Equal(half, requests[1].RangeFrom); // resumed where the connection dropped, not from the start
    }

    [Fact]
    public void WrongBytesAreRefusedAndDeleted()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var bytes = Checkpoint(dir, 3);
        var other = Checkpoint(dir, 4);
        server.Route("/m.pth", Reply.File(other));
        foreach (var entry in new[] { Entry("m", server.Url("/m.pth"), sha256: Sha(bytes)), Entry("p", server.Url("/m.pth"), prefix: Sha(bytes)[..8]), Entry("s", server.Url("/m.pth"), size: bytes.Length + 1) })
        {
            var store = Store(dir, null, entry);
            var e = Assert.Throws<AtelierException>(() => store.Fetch(entry));
            Assert.Contains("deleted it", e.Message);
            Assert.Contains(entry.Name + ":", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.False(File.Exists(store.Cache.PathOf(entry)));
            Assert.False(File.Exists(store.Cache.PathOf(entry) + ".part"));
        }
    }

    [Fact]
    public void NotFoundFailsAtOnceAndServerErrorsAreRetriedThenReported()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        server.Route("/500.pth", Reply.Error(500));
        var missing = Entry("missing", server.Url("/404.pth"));
        var broken = Entry("broken", server.Url("/500.pth"));
        var store = Store(dir, null, missing, broken);

        var e = Assert.Throws<AtelierException>(() => store.Fetch(missing));
        Assert.Contains("answered 404", e.Message);
        Assert.Contains(server.Url("/404.pth"), e.Message);
        Assert.Contains(store.Cache.PathOf(missing), e.Message); // where to put it by hand
        Assert.Equal(1, server.CountFor("/404.pth"));

        e = Assert.Throws<AtelierException>(() => store.Fetch(broken));
        Assert.Contains("answered 500", e.Message);
        Assert.Equal(1 + Quick.Retries, server.CountFor("/500.pth"));
        Assert.False(File.Exists(store.Cache.PathOf(broken)));

        // A server error that passes: the retry succeeds.
        var bytes = Checkpoint(dir, 5);
        server.Route("/flaky.pth", n => n == 0 ? Reply.Error(503) : Reply.File(bytes));
        var flaky = Entry("flaky", server.Url("/flaky.pth"), sha256: Sha(bytes));
        Assert.Equal(bytes, File.ReadAllBytes(Store(dir, null, flaky).Fetch(flaky)));
    }

    [Fact]
    public void AStalledServerTimesOutAndThePartIsResumedLater()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var bytes = Checkpoint(dir, 6);
        long stallAt = 10_000;
        server.Route("/m.pth", Reply.File(bytes) with { StallAt = stallAt });
        server.Route("/silent.pth", Reply.File(bytes) with { NoAnswer = true });
        var entry = Entry("m", server.Url("/m.pth"), sha256: Sha(bytes));
        var store = Store(dir, Quick with { Retries = 0 }, entry);

        var e = Assert.Throws<AtelierException>(() => store.Fetch(entry));
        Assert.Contains($"sent nothing for 1 s at byte {stallAt}", e.Message);
        Assert.Equal(stallAt, new FileInfo(store.Cache.PathOf(entry) + ".part").Length); // kept for the next try
        Assert.False(File.Exists(store.Cache.PathOf(entry)));

        var silent = Entry("silent", server.Url("/silent.pth"));
        e = Assert.Throws<AtelierException>(() => Store(dir, Quick with { Retries = 0 }, silent).Fetch(silent));
        Assert.Contains("did not answer within 1 s", e.Message);

        // The server recovers: the next fetch resumes from the .part.
        server.Route("/m.pth", Reply.File(bytes));
        Assert.Equal(bytes, File.ReadAllBytes(store.Fetch(entry)));
        Assert.Equal(stallAt, server.Requests.Last(r => r.Path == "/m.pth").RangeFrom);
    }

    [Fact]
    public void CancellationLeavesOnlyThePartWhichTheNextFetchResumes()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var bytes = Checkpoint(dir, 7);
        server.Route("/m.pth", n => n == 0 ? Reply.File(bytes) with { StallAt = 20_000 } : Reply.File(bytes));
        var entry = Entry("m", server.Url("/m.pth"), sha256: Sha(bytes));
        var store = Store(dir, Quick with { StallTimeout = TimeSpan.FromSeconds(30) }, entry);
        using var cts = new CancellationTokenSource();
        var fetch = Task.Run(() => store.Fetch(entry, null, cts.Token));
        // Cancelled (as Ctrl+C does) once the first 20 kB have arrived and the server holds the rest back.
        Assert.True(server.Stalled.Wait(TimeSpan.FromSeconds(20)), "the server never reached its stall");
        var part = store.Cache.PathOf(entry) + ".part";
        for (int i = 0; i < 400 && (!File.Exists(part) || new FileInfo(part).Length < 20_000); i++) Thread.Sleep(25);
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => fetch.GetAwaiter().GetResult());
        var folder = Path.GetDirectoryName(store.Cache.PathOf(entry))!;
        Assert.Equal(["m.pth.lock", "m.pth.part"], Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(bytes, File.ReadAllBytes(store.Fetch(entry)));
        Assert.Equal(20_000, server.Requests.Last().RangeFrom);
    }

    [Fact]
    public void AZipNamingParentFoldersIsRefusedAndAPlainOneGivesItsMember()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var bytes = Checkpoint(dir, 8);
        server.Route("/evil.zip", Reply.File(Zip(("saved_models/candy.pth", bytes), ("saved_models/../../../evil.pth", bytes))));
        server.Route("/good.zip", Reply.File(Zip(("saved_models/candy.pth", bytes), ("saved_models/mosaic.pth", [1, 2, 3]))));
        var evil = Entry("evil", server.Url("/evil.zip"), archive: new ArchiveMember(server.Url("/evil.zip"), "saved_models/candy.pth"));
        var good = Entry("good", server.Url("/good.zip"), archive: new ArchiveMember(server.Url("/good.zip"), "saved_models/candy.pth"));
        var store = Store(dir, null, evil, good);

        var e = Assert.Throws<AtelierException>(() => store.Fetch(evil));
        Assert.Contains("refused", e.Message);
        Assert.Contains("saved_models/../../../evil.pth", e.Message);
        Assert.False(File.Exists(store.Cache.PathOf(evil)));
        Assert.Empty(Directory.GetFiles(dir.Path, "evil.pth", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(store.Cache.Root, "*.zip", SearchOption.AllDirectories)); // not kept

        var path = store.Fetch(good);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(FileRecord.FirstUse, FileRecord.Read(path)!.Trust); // the zip publishes no hash
        Assert.Empty(Directory.GetFiles(store.Cache.Root, "*.part", SearchOption.AllDirectories));
    }

    static byte[] Zip(params (string Name, byte[] Bytes)[] members)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in members)
                using (var s = zip.CreateEntry(name).Open()) s.Write(content);
        return memory.ToArray();
    }

    [Fact]
    public void TwoFetchesOfOneNameTakeTurns()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var bytes = Checkpoint(dir, 9);
        server.Route("/m.pth", Reply.File(bytes) with { ChunkDelayMs = 5 }); // slow, so both fetches overlap
        var entry = Entry("m", server.Url("/m.pth"), sha256: Sha(bytes));
        var stores = new[] { Store(dir, null, entry), Store(dir, null, entry) };
        using var start = new Barrier(2);
        var paths = new string[2];
        var errors = new Exception?[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            try { paths[i] = stores[i].Fetch(entry); } catch (Exception e) { errors[i] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.All(errors, Assert.Null);
        Assert.Equal(paths[0], paths[1]);
        Assert.Equal(bytes, File.ReadAllBytes(paths[0]));
        Assert.Equal(1, server.CountFor("/m.pth")); // one downloaded; the other waited and found it

        // While another holder has the lock, a fetch waits (and says so), then finds the file the holder put there.
        var other = Entry("other", server.Url("/m.pth"), sha256: Sha(bytes));
        var store = Store(dir, null, other);
        var target = store.Cache.PathOf(other);
        var notes = new List<string>();
        string? fetched = null;
        Exception? failed = null;
        var waiter = new Thread(() => { try { fetched = store.Fetch(other, note: notes.Add); } catch (Exception e) { failed = e; } });
        using (FileLock.Acquire(target + ".lock", TimeSpan.FromSeconds(5)))
        {
            waiter.Start();
            while (notes.Count == 0 && waiter.IsAlive) Thread.Sleep(10);
            File.WriteAllBytes(target, bytes);
        }
        waiter.Join();
        Assert.Null(failed);
        Assert.Equal(target, fetched);
        Assert.Contains("another process is fetching it", Assert.Single(notes));
        Assert.Equal(1, server.CountFor("/m.pth"));
    }

    [Fact]
    public void WithoutAPublishedHashTheFirstDownloadIsRecordedAndLaterUseChecked()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var bytes = Checkpoint(dir, 10);
        server.Route("/m.pth", Reply.File(bytes));
        var entry = Entry("m", server.Url("/m.pth"));
        var store = Store(dir, null, entry);
        Assert.Equal("not fetched", Assert.Single(store.List()).State);
        var path = store.Fetch(entry);
        var record = FileRecord.Read(path)!;
        Assert.Equal((FileRecord.FirstUse, Sha(bytes), (long)bytes.Length), (record.Trust, record.Sha256, record.Size));
        Assert.Equal("cached, trusted on first use", Assert.Single(store.List()).State);

        // The file changes after it was recorded (same size): its next use is refused.
        var tampered = (byte[])bytes.Clone();
        tampered[^1] ^= 0xFF;
        File.WriteAllBytes(path, tampered);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var e = Assert.Throws<AtelierException>(() => store.Fetch(entry));
        Assert.Contains("differs from the", e.Message);
        Assert.Contains("recorded when it was fetched", e.Message);
        Assert.Equal(1, server.CountFor("/m.pth"));
    }

    [Fact]
    public void OfflineAndUnreachableFailAtOnceWithOneLineSayingWhereToPutTheFile()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var entry = Entry("m", server.Url("/m.pth"));
        var store = Store(dir, Quick with { Offline = true }, entry);
        var e = Assert.Throws<AtelierException>(() => store.Fetch(entry));
        Assert.Contains("offline", e.Message);
        Assert.Contains(server.Url("/m.pth"), e.Message);
        Assert.Contains(store.Cache.PathOf(entry), e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(server.Requests);

        // A port nobody listens on: refused at once, not retried.
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        int port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var unreachable = Entry("u", $"http://127.0.0.1:{port}/u.pth");
        var store2 = Store(dir, Quick with { Retries = 5, RetryDelay = TimeSpan.FromSeconds(30) }, unreachable);
        e = Assert.Throws<AtelierException>(() => store2.Fetch(unreachable)); // 5 retries of 30 s would hang the test: none are made
        Assert.Contains("could not reach 127.0.0.1", e.Message);
        Assert.Contains($"http://127.0.0.1:{port}/u.pth", e.Message);
        Assert.Contains(store2.Cache.PathOf(unreachable), e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AMirrorStandsInForThePublishers()
    {
        using var dir = TestPaths.NewTempDir();
        using var server = new LoopbackServer();
        var bytes = Checkpoint(dir, 11);
        server.Route("/mirror/m/m.pth", Reply.File(bytes));
        var entry = Entry("m", "http://publisher.invalid/m.pth", sha256: Sha(bytes));
        var viaUrl = Store(dir, Quick with { Mirror = server.Url("/mirror/") }, entry);
        Assert.Equal(bytes, File.ReadAllBytes(viaUrl.Fetch(entry)));
        Assert.Contains(server.Url("/mirror/m/m.pth"), FileRecord.Read(viaUrl.Cache.PathOf(entry))!.Source);

        // A local folder laid out like the cache; a wrong file there is refused like a wrong download.
        var folder = Directory.CreateDirectory(dir.File("mirror/m")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "m.pth"), Checkpoint(dir, 12));
        var viaFolder = new ModelStore(new Catalogue([entry]), new ModelCache(dir.File("cache2")), Quick with { Mirror = dir.File("mirror") });
        var e = Assert.Throws<AtelierException>(() => viaFolder.Fetch(entry));
        Assert.Contains("deleted it", e.Message);
        File.WriteAllBytes(Path.Combine(folder, "m.pth"), bytes);
        Assert.Equal(bytes, File.ReadAllBytes(viaFolder.Fetch(entry)));
        Assert.Single(server.Requests);
    }

    [Fact]
    public void MeanWIsCachedByTheCheckpointsHashNotBesideIt()
    {
        using var dir = TestPaths.NewTempDir();
        var cache = new ModelCache(dir.File("cache"));
        var a = dir.File("a.pt");
        var b = dir.File("copy/b.pt");
        Directory.CreateDirectory(dir.File("copy"));
        File.WriteAllBytes(a, Checkpoint(dir, 13));
        File.Copy(a, b);
        var pa = Atelier.StyleGan.MeanLatent.CachePath(a, Atelier.StyleGan.MeanLatent.DefaultSamples, cache);
        Assert.Equal(Path.Combine(cache.DerivedFolder, Sha(File.ReadAllBytes(a)), "mean_w.safetensors"), pa);
        Assert.Equal(pa, Atelier.StyleGan.MeanLatent.CachePath(b, Atelier.StyleGan.MeanLatent.DefaultSamples, cache)); // same bytes, same cache
        Assert.NotEqual(pa, Atelier.StyleGan.MeanLatent.CachePath(a, 512, cache));
    }
}
