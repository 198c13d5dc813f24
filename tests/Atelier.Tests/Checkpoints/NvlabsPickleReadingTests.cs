using Atelier.Checkpoints;
using Atelier.Checkpoints.Pickle;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Checkpoints;

/// <summary>
/// NVlabs StyleGAN2-ADA snapshot pickles (fixtures/nvlabs, written by that repository's own code) are read without
/// running the Python source they embed: networks become their tensors and constructor arguments, and pickles that
/// reach for code are refused, naming what they reached for.
/// </summary>
public class NvlabsPickleReadingTests
{
    const string Marker = "/tmp/atelier_nvlabs_pwned_marker"; // what the hostile pickles try to create

    static string Fixture(string name) => TestPaths.Fixture("nvlabs", name);

    [Fact]
    public void ASnapshotIsRecognisedAndFlattensToTheStateDictNames()
    {
        using var scope = NewDisposeScope();
        var path = Fixture("sg2ada_tiny.pkl");
        Assert.Equal(CheckpointFormat.Pickle, Checkpoint.DetectFormat(path));
        using var file = Checkpoint.Load(path);
        Assert.Equal(["training_set_kwargs", "G", "D", "G_ema", "augment_pipe"], file.TopLevelKeys);

        // torch's state_dict names: parameters then buffers, then sub-modules in construction order.
        Assert.Equal([16, 16], file["G_ema.mapping.fc0.weight"].shape);
        Assert.Equal([16], file["G_ema.mapping.w_avg"].shape);
        Assert.Equal([16, 4, 4], file["G_ema.synthesis.b4.const"].shape);
        Assert.Equal([16, 16, 3, 3], file["G_ema.synthesis.b16.conv0.weight"].shape);
        Assert.Equal([4, 4], file["G_ema.synthesis.b16.conv0.resample_filter"].shape);
        Assert.Equal([16, 16], file["G_ema.synthesis.b16.conv1.noise_const"].shape);
        Assert.Empty(file["G_ema.synthesis.b16.conv1.noise_strength"].shape);
        Assert.Equal([3, 16, 1, 1], file["G_ema.synthesis.b16.torgb.weight"].shape);
        Assert.True(file.ContainsKey("D.b16.fromrgb.weight"));
        Assert.True(file.ContainsKey("augment_pipe.p"));
        // The filter NVlabs registers is [1,3,3,1] x [1,3,3,1] / 64.
        Assert.Equal(9f / 64, file["G_ema.synthesis.b8.resample_filter"][1, 1].item<float>(), 6);

        // Constructor arguments, EasyDicts included, as plain data.
        Assert.Equal(16L, file.Value("G_ema.init_kwargs.z_dim"));
        Assert.Equal(256L, file.Value("G_ema.init_kwargs.synthesis_kwargs.channel_base"));
        Assert.Equal(2L, file.Value("G_ema.init_kwargs.synthesis_kwargs.conv_clamp"));
        Assert.Equal(2L, file.Value("G_ema.init_kwargs.mapping_kwargs.num_layers"));
        // numpy float64 scalars (weight_gain = lr_multiplier / sqrt(in_features)).
        Assert.Equal(0.01 / 4, (double)file.Value("G_ema.mapping.fc0.weight_gain")!, 12);
        Assert.Equal("skip", file.Value("G_ema.synthesis.b16.architecture"));
        var kwargs = Assert.IsType<Dictionary<string, object?>>(file.NonTensorEntries["training_set_kwargs"]);
        Assert.Equal("tiny.zip", kwargs["path"]);
    }

    [Fact]
    public void TheRecogniserNamesSnapshotsAndBareGenerators()
    {
        using var scope = NewDisposeScope();
        using (var snapshot = Checkpoint.Load(Fixture("sg2ada_tiny.pkl")))
        {
            var found = ArchitectureRecognizer.Identify(snapshot);
            Assert.Equal((ArchitectureKind.StyleGan2NvlabsSnapshot, "G_ema", "stylegan2-nvlabs-snapshot"), (found.Kind, found.Prefix, found.KindId));
            Assert.True(found.IsStyleGanGenerator);
            Assert.Equal(16L, found.Parameters["size"]);
        }
        using var bare = Checkpoint.Load(Fixture("sg2ada_tiny_G_ema_protocol2.pkl"));
        var g = ArchitectureRecognizer.Identify(bare);
        Assert.Equal((ArchitectureKind.StyleGan2NvlabsGenerator, null), (g.Kind, g.Prefix));
        Assert.Equal("NVlabs StyleGAN2-ADA generator (size 16, z_dim 16, w_dim 16, 2 mapping layers)", g.Description);
    }

    [Fact]
    public void TheSnapshotsTensorsAreTheOnesNvlabsWrote()
    {
        using var scope = NewDisposeScope();
        using var file = Checkpoint.Load(Fixture("sg2ada_tiny.pkl"));
        using var expected = Checkpoint.Load(Fixture("sg2ada_tiny_expected.safetensors"));
        // G_ema differs from G by small noise, and each network's tensors are distinct storages.
        var g = file["G.mapping.fc1.weight"];
        var ema = file["G_ema.mapping.fc1.weight"];
        double gap = (g - ema).abs().max().item<float>();
        Assert.InRange(gap, 1e-3, 0.5);
        Assert.True(file.Values.All(t => t.dtype == ScalarType.Float32 || t.dtype == ScalarType.Int64 || t.dtype == ScalarType.Bool), "unexpected dtype");
    }

    [Theory]
    [InlineData("hostile_os_system.pkl", "refused global 'posix.system'")]
    [InlineData("hostile_eval.pkl", "refused global 'builtins.eval'")]
    [InlineData("hostile_unknown_reduce.pkl", "refused global 'evil_module.Payload'")]
    [InlineData("hostile_unknown_class.pkl", "refused persistent class 'Backdoor'")]
    [InlineData("hostile_known_class_state.pkl", "refused global 'posix.system'")]
    [InlineData("hostile_nested_blob.pkl", "refused global 'posix.system'")]
    public void HostilePicklesAreRefusedByNameAndNothingRuns(string name, string reason)
    {
        File.Delete(Marker);
        var path = Fixture(name);
        var e = Assert.Throws<AtelierException>(() => { using var _ = Checkpoint.Load(path); });
        Assert.True(e.Message.Contains(reason), e.Message);
        Assert.Contains(name, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        // Reading the headers alone refuses it the same way.
        Assert.Equal(e.Message, Assert.Throws<AtelierException>(() => Checkpoint.ReadHeaders(path)).Message);
        Assert.False(File.Exists(Marker), "the hostile pickle ran");
    }

    [Fact]
    public void ATruncatedSnapshotIsAClearError()
    {
        using var dir = TestPaths.NewTempDir();
        var whole = File.ReadAllBytes(Fixture("sg2ada_tiny.pkl"));
        var path = dir.File("cut.pkl");
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        var e = Assert.Throws<AtelierException>(() => { using var _ = Checkpoint.Load(path); });
        Assert.Equal(e.Message, Assert.Throws<AtelierException>(() => Checkpoint.ReadHeaders(path)).Message);
        Assert.Contains("cut.pkl: cannot read pickle", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ATensorFlowStyleGanPickleIsNamedAsSuch()
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("stylegan2-ffhq-config-f.pkl");
        // PROTO 2, GLOBAL dnnlib.tflib.network.Network, EMPTY_TUPLE, NEWOBJ, STOP: how the TF pickles start.
        File.WriteAllBytes(path, [0x80, 2, .. "cdnnlib.tflib.network\nNetwork\n"u8, (byte)')', 0x81, (byte)'.']);
        var e = Assert.Throws<AtelierException>(() => { using var _ = Checkpoint.Load(path); });
        Assert.Contains("refused global 'dnnlib.tflib.network.Network'", e.Message);
        Assert.Contains("TensorFlow StyleGAN pickle", e.Message);
    }

    [Fact]
    public void TheExtraNamesAreAllowedOnlyInPlainPickles()
    {
        // A torch.save file may not reach for NVlabs' persistence records or numpy: those names are refused there.
        var globals = new RestrictedGlobals(null);
        var e = Assert.Throws<PickleException>(() => globals.Resolve("torch_utils.persistence", "_reconstruct_persistent_obj"));
        Assert.Contains("refused global 'torch_utils.persistence._reconstruct_persistent_obj'", e.Message);
        Assert.Throws<PickleException>(() => globals.Resolve("torch.storage", "_load_from_bytes"));
        Assert.Throws<PickleException>(() => globals.Resolve("numpy.core.multiarray", "scalar"));
    }

    [Fact]
    public void APersistenceRecordMustBeAKnownClassOfTheSupportedVersion()
    {
        PickleDict Meta(string className, long version)
        {
            var meta = new PickleDict();
            meta.Set("type", "class");
            meta.Set("version", version);
            meta.Set("module_src", "import os\nos.system('x')\n");
            meta.Set("class_name", className);
            meta.Set("state", new PickleDict());
            return meta;
        }
        Assert.Equal("Generator", PersistentObject.FromRecord(new PickleTuple([Meta("Generator", 6)])).ClassName);
        var e = Assert.Throws<PickleException>(() => PersistentObject.FromRecord(new PickleTuple([Meta("SynthesisInput", 6)])));
        Assert.Contains("refused persistent class 'SynthesisInput'", e.Message);
        e = Assert.Throws<PickleException>(() => PersistentObject.FromRecord(new PickleTuple([Meta("Generator", 7)])));
        Assert.Contains("version 7", e.Message);
    }
}
