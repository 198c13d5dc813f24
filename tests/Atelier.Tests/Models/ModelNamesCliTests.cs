using System.Security.Cryptography;
using System.Text.Json;
using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Models;
using Atelier.Networks;
using Atelier.Style;
using Atelier.Tests.Cli;
using Atelier.Translation;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Models;

/// <summary>
/// Catalogue names where the CLI takes a checkpoint (--vgg vgg19, --model mosaic, --checkpoint horse2zebra), resolved
/// through the cache with --mirror pointing at a local folder and a test catalogue of fixture entries; the
/// `atelier models` commands; --offline. The results must equal the same command run on the file itself.
/// </summary>
public class ModelNamesCliTests
{
    sealed record Fixture(TempDir Dir, ModelStore Store, string Mirror, IDisposable Use) : IDisposable
    {
        public void Dispose() { Use.Dispose(); Dir.Dispose(); }
        public string File(string name) => Dir.File(name);
    }

    /// <summary>
    /// A test catalogue of three entries (publisher addresses that cannot resolve, so only the mirror can serve them)
    /// whose files are small networks Atelier writes here: a VGG-19 through relu2_1, a fast-style TransformerNet
    /// (float16) and a 2-block ResNet generator (ngf 4) in junyanz's layout.
    /// </summary>
    static Fixture Setup()
    {
        var dir = TestPaths.NewTempDir();
        var mirror = dir.File("mirror");
        string Put(string name, string file, Action<string> write)
        {
            var path = Path.Combine(mirror, name, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            write(path);
            return path;
        }
        manual_seed(31);
        var vgg = Put("vgg19", "vgg19-dcbb9e9d.pth", p => { using var v = Vgg.TorchVision(VggConfig.Vgg19, upToLayer: "relu2_1"); SafeTensors.Save(p, v.state_dict()); });
        Put("fast-style-wave", "wave.pth", p =>
        {
            using var net = new TransformerNet();
            SafeTensors.Save(p, net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float16)));
        });
        Put("horse2zebra", "horse2zebra.pth", p =>
        {
            using var g = GeneratorSpec.Parse("resnet_2blocks", ngf: 4, norm: NormKind.Instance, dropout: false).Build();
            SafeTensors.Save(p, g.state_dict());
        });
        // An NVlabs StyleGAN2-ADA snapshot (the tiny fixture NVlabs' own code wrote), as ffhq.pkl would come.
        Put("stylegan2-ada-ffhq", "ffhq.pkl", p => System.IO.File.Copy(TestPaths.Fixture("nvlabs", "sg2ada_tiny.pkl"), p));
        var sha = Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(vgg)));
        var catalogue = new Catalogue([
            // The publisher's hash is the fixture's own: a mirror serving other bytes would be refused.
            new CatalogueEntry { Name = "vgg19", Kind = "vgg-torchvision", File = "vgg19-dcbb9e9d.pth", Urls = ["http://publisher.invalid/vgg19-dcbb9e9d.pth"], Sha256 = sha, LicenceShort = "test", Page = "http://publisher.invalid/vgg" },
            new CatalogueEntry { Name = "fast-style-wave", Kind = "fast-style", File = "wave.pth", Urls = ["http://publisher.invalid/saved_models.zip"], Archive = new ArchiveMember("http://publisher.invalid/saved_models.zip", "saved_models/wave.pth"), LicenceShort = "test" },
            new CatalogueEntry { Name = "horse2zebra", Kind = "cyclegan-generator", File = "horse2zebra.pth", Urls = ["http://publisher.invalid/horse2zebra.pth"], LicenceShort = "test" },
            new CatalogueEntry { Name = "stylegan2-ada-ffhq", Kind = "stylegan2-nvlabs-pkl", File = "ffhq.pkl", Urls = ["http://publisher.invalid/ffhq.pkl"], LicenceShort = "test" },
            // A catalogue entry spelled like the shipped model: the shipped one wins the short name.
            new CatalogueEntry { Name = "fast-style-candy", Kind = "fast-style", File = "candy.pth", Urls = ["http://publisher.invalid/candy.pth"], LicenceShort = "test" },
        ]);
        var store = new ModelStore(catalogue, new ModelCache(dir.File("cache")), new FetchOptions { Retries = 0, ConnectTimeout = TimeSpan.FromSeconds(2) });
        return new Fixture(dir, store, mirror, ModelStore.Use(store));
    }

    static string Picture(Fixture f, string name, int size, int seed)
    {
        var r = new Random(seed);
        var img = new Image(size, size, 3);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (float)r.NextDouble();
        var path = f.File(name);
        ImageIO.Save(img, path);
        return path;
    }

    [Fact]
    public void ModelVggAndCheckpointNamesResolveThroughTheCacheFromAMirrorFolder()
    {
        using var f = Setup();
        var photo = Picture(f, "photo.png", 24, 1);

        var r = CliHarness.Run("fast-style", "stylize", photo, "--model", "wave", "-o", f.File("named.png"), "--mirror", f.Mirror, "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var cached = Path.Combine(f.Store.Cache.ModelsFolder, "fast-style-wave", "wave.pth");
        Assert.True(System.IO.File.Exists(cached));
        Assert.Equal(FileRecord.FirstUse, FileRecord.Read(cached)!.Trust);
        Assert.Equal(0, CliHarness.Run("fast-style", "stylize", photo, "--model", cached, "-o", f.File("file.png"), "--quiet").ExitCode);
        Assert.Equal(System.IO.File.ReadAllBytes(f.File("file.png")), System.IO.File.ReadAllBytes(f.File("named.png")));

        r = CliHarness.Run("cyclegan", "translate", photo, "--checkpoint", "horse2zebra", "-o", f.File("h2z.png"), "--eval", "--mirror", f.Mirror, "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var h2z = Path.Combine(f.Store.Cache.ModelsFolder, "horse2zebra", "horse2zebra.pth");
        Assert.Equal(0, CliHarness.Run("cyclegan", "translate", photo, "--checkpoint", h2z, "-o", f.File("h2z-file.png"), "--eval", "--quiet").ExitCode);
        Assert.Equal(System.IO.File.ReadAllBytes(f.File("h2z-file.png")), System.IO.File.ReadAllBytes(f.File("h2z.png")));

        r = CliHarness.Run("gatys", "texture", photo, "-o", f.File("tex.png"), "--size", "24x24", "-n", "1", "--seed", "1", "--vgg", "vgg19", "--mirror", f.Mirror, "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var vgg = Path.Combine(f.Store.Cache.ModelsFolder, "vgg19", "vgg19-dcbb9e9d.pth");
        Assert.Equal(FileRecord.Published, FileRecord.Read(vgg)!.Trust);
        Assert.Equal(0, CliHarness.Run("gatys", "texture", photo, "-o", f.File("tex-file.png"), "--size", "24x24", "-n", "1", "--seed", "1", "--features", vgg, "--quiet").ExitCode);
        Assert.Equal(System.IO.File.ReadAllBytes(f.File("tex-file.png")), System.IO.File.ReadAllBytes(f.File("tex.png")));

        // --checkpoint ffhq: the NVlabs pickle, fetched through the cache and read without running its code.
        r = CliHarness.Run("stylegan", "generate", "--checkpoint", "ffhq", "--seeds", "1", "--truncation", "0.7", "-o", f.File("ffhq.png"), "--mirror", f.Mirror, "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var pkl = Path.Combine(f.Store.Cache.ModelsFolder, "stylegan2-ada-ffhq", "ffhq.pkl");
        Assert.Equal(0, CliHarness.Run("stylegan", "generate", "--checkpoint", pkl, "--seeds", "1", "--truncation", "0.7", "-o", f.File("ffhq-file.png"), "--quiet").ExitCode);
        Assert.Equal(System.IO.File.ReadAllBytes(f.File("ffhq-file.png")), System.IO.File.ReadAllBytes(f.File("ffhq.png")));

        // Cached now: the mirror is no longer needed, offline or not.
        r = CliHarness.Run("fast-style", "stylize", photo, "--model", "fast-style-wave", "-o", f.File("again.png"), "--offline", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
    }

    [Fact]
    public void AShippedModelWinsItsNameAndAWrongKindIsNamed()
    {
        using var f = Setup();
        var candy = Assert.Single(ShippedModels.All(), m => m.Name == "fast-style-candy");
        foreach (var name in new[] { "candy", "fast-style-candy" })
        {
            var found = ModelResolver.Find(name, ModelUse.FastStyle);
            Assert.Equal(candy.Path, found.Path);
            Assert.Null(found.Entry);
        }
        Assert.Equal("fast-style-wave", ModelResolver.Find("wave", ModelUse.FastStyle).Entry!.Name);
        Assert.Null(ModelResolver.Find("wave", ModelUse.Pix2Pix).Entry); // the short name means nothing to a translation option
        // A dataset folder called like the model (junyanz's horse2zebra/) does not hide it; a file of that name does.
        var cwd = Directory.GetCurrentDirectory();
        try
        {
            Directory.SetCurrentDirectory(f.Dir.Path);
            Directory.CreateDirectory("horse2zebra");
            Assert.Equal("horse2zebra", ModelResolver.Find("horse2zebra", ModelUse.CycleGan).Entry?.Name);
            Directory.Delete("horse2zebra");
            System.IO.File.WriteAllText("horse2zebra", "x");
            Assert.Null(ModelResolver.Find("horse2zebra", ModelUse.CycleGan).Entry);
        }
        finally { Directory.SetCurrentDirectory(cwd); }
        var e = Assert.Throws<AtelierException>(() => ModelResolver.Find("vgg19", ModelUse.StyleGan));
        Assert.Contains("vgg19: the catalogue's vgg19 is a vgg-torchvision model, not a StyleGAN2 generator", e.Message);
        // The CLI's --model candy is the shipped network: it runs without any mirror or network.
        var r = CliHarness.Run("fast-style", "stylize", Picture(f, "p.png", 16, 2), "--model", "candy", "-o", f.File("o.png"), "--offline", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
    }

    [Fact]
    public void OfflineFailsAtOnceWithOneLineNamingTheAddressAndWhereToPutTheFile()
    {
        using var f = Setup();
        var r = CliHarness.Run("cyclegan", "translate", Picture(f, "p.png", 16, 3), "--checkpoint", "horse2zebra", "-o", f.File("o.png"), "--offline");
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: horse2zebra: not in the cache and offline mode is on", line);
        Assert.Contains("http://publisher.invalid/horse2zebra.pth", line);
        Assert.Contains(Path.Combine(f.Store.Cache.ModelsFolder, "horse2zebra", "horse2zebra.pth"), line);
        Assert.False(System.IO.File.Exists(f.File("o.png")));

        // The environment's switch does the same (read when no store is set, as in a fresh process).
        Assert.True(FetchOptions.FromEnvironment(v => v == FetchOptions.OfflineVariable ? "1" : null).Offline);
        Assert.False(FetchOptions.FromEnvironment(_ => null).Offline);
        Assert.Equal("/srv/m", FetchOptions.FromEnvironment(v => v == FetchOptions.MirrorVariable ? "/srv/m" : null).MirrorFolder);
    }

    [Fact]
    public void ModelsListFetchPathVerifyAndRemove()
    {
        using var f = Setup();
        var r = CliHarness.Run("models", "list", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using (var doc = JsonDocument.Parse(r.Out))
        {
            var listed = doc.RootElement.GetProperty("catalogue").EnumerateArray().ToList();
            Assert.Equal(["vgg19", "fast-style-wave", "horse2zebra", "stylegan2-ada-ffhq", "fast-style-candy"], listed.Select(e => e.GetProperty("name").GetString()));
            Assert.All(listed, e => Assert.False(e.GetProperty("cached").GetBoolean()));
            Assert.False(listed[0].GetProperty("trustOnFirstUse").GetBoolean());
            Assert.True(listed[2].GetProperty("trustOnFirstUse").GetBoolean());
            Assert.Contains(doc.RootElement.GetProperty("shippedModels").EnumerateArray(), s => s.GetProperty("name").GetString() == "fast-style-candy");
        }

        r = CliHarness.Run("models", "path", "horse2zebra");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not fetched yet", r.Err);

        r = CliHarness.Run("models", "fetch", "vgg19", "horse2zebra", "--mirror", f.Mirror);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("horse2zebra: ", r.Out);
        Assert.Contains("no published hash: trusted on first use", r.Out);
        Assert.Contains("matches the publisher's hash", r.Out);

        r = CliHarness.Run("models", "path", "horse2zebra");
        Assert.Equal(Path.Combine(f.Store.Cache.ModelsFolder, "horse2zebra", "horse2zebra.pth"), r.Out.Trim());
        Assert.Equal(ShippedModels.All().Single(m => m.Name == "fast-style-candy").Path, CliHarness.Run("models", "path", "candy").Out.Trim());
        // checkpoint inspect takes a name like any checkpoint option.
        r = CliHarness.Run("checkpoint", "inspect", "horse2zebra", "--json", "--offline");
        Assert.True(r.ExitCode == 0, r.Err);
        using (var doc = JsonDocument.Parse(r.Out))
        {
            Assert.Equal(Path.Combine(f.Store.Cache.ModelsFolder, "horse2zebra", "horse2zebra.pth"), doc.RootElement.GetProperty("file").GetString());
            Assert.Contains("resnet", doc.RootElement.GetProperty("architecture").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        r = CliHarness.Run("models", "list");
        Assert.Matches(@"horse2zebra\s+cyclegan-generator\s+[\d.]+ kB\s+test\s+first use\s+cached, trusted on first use", r.Out);
        Assert.Matches(@"vgg19\s+vgg-torchvision\s+[\d.]+ kB\s+test\s+published\s+cached", r.Out);

        Assert.Equal(0, CliHarness.Run("models", "verify").ExitCode);
        var h2z = Path.Combine(f.Store.Cache.ModelsFolder, "horse2zebra", "horse2zebra.pth");
        var bytes = System.IO.File.ReadAllBytes(h2z);
        bytes[^1] ^= 1;
        System.IO.File.WriteAllBytes(h2z, bytes);
        System.IO.File.SetLastWriteTimeUtc(h2z, DateTime.UtcNow.AddMinutes(1));
        r = CliHarness.Run("models", "verify");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("FAILED  horse2zebra: ", r.Out);
        Assert.Contains("ok      vgg19 (matches the publisher's hash)", r.Out);

        r = CliHarness.Run("models", "remove", "horse2zebra");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.False(Directory.Exists(Path.GetDirectoryName(h2z)));
        r = CliHarness.Run("models", "fetch", "no-such-model");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no-such-model: not in the model catalogue", r.Err);
        r = CliHarness.Run("models", "fetch", "candy");
        Assert.Contains("candy: ships with Atelier", r.Err);
    }
}
