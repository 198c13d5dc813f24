using System.Text;
using Atelier.Checkpoints;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Checkpoints;

public class SafeTensorsTests
{
    [Fact]
    public void SaveThenLoadRoundTripsEveryDTypeAndTheMetadata()
    {
        using var dir = TestPaths.NewTempDir();
        using var source = Checkpoint.Load(TestPaths.Fixture("checkpoints", "dtypes.pth"));
        var views = new Dictionary<string, Tensor>(source) { ["strided"] = source["f32"].t() };
        var md = ModelMetadata.Create("tiny-net", new { channels = 3, blocks = 2 });
        var path = dir.File("m.safetensors");
        SafeTensors.Save(path, views, md);

        using var back = SafeTensors.Load(path);
        Assert.Equal(views.Count, back.Tensors.Count);
        foreach (var (k, t) in views) TensorAssert.BitEqual(t, back.Tensors[k], k);
        Assert.Equal("tiny-net", ModelMetadata.Architecture(back.Metadata));
        Assert.Equal("{\"channels\":3,\"blocks\":2}", back.Metadata[ModelMetadata.HyperparametersKey]);
        // Auto-detected by content, whatever the extension.
        var renamed = dir.File("m.bin");
        File.Copy(path, renamed);
        using var ckpt = Checkpoint.Load(renamed);
        Assert.Equal(CheckpointFormat.SafeTensors, ckpt.Format);
        Assert.Equal("tiny-net", ckpt.Metadata[ModelMetadata.ArchitectureKey]);
        // The header is 8-byte aligned and the data section follows it.
        var header = SafeTensors.ReadHeader(path);
        Assert.Equal(0, header.DataStart % 8);
    }

    [Fact]
    public void ReadsAFileWrittenByTheReferenceLayout()
    {
        // dtypes.pth.expected.safetensors was written by Python (tests/fixtures/make_checkpoints.py).
        using var st = SafeTensors.Load(TestPaths.Fixture("checkpoints", "dtypes.pth.expected.safetensors"));
        Assert.Equal(ScalarType.BFloat16, st.Tensors["bf16"].dtype);
        Assert.Equal(new long[] { 2, 3 }, st.Tensors["bool"].shape);
        Assert.Equal(new[] { true, false, true, false, false, true }, st.Tensors["bool"].data<bool>().ToArray());
    }

    static byte[] File_(string headerJson, int dataBytes, ulong? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(headerJson);
        var b = new byte[8 + h.Length + dataBytes];
        BitConverter.TryWriteBytes(b.AsSpan(0, 8), declaredLength ?? (ulong)h.Length);
        h.CopyTo(b, 8);
        return b;
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 1UL << 40, "header length")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 1UL << 20, "runs past the end")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, null, "needs 12 bytes but its span holds 8")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, null, "beyond the 4-byte data section")]
    [InlineData("{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, null, "unknown dtype 'C64'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, null, "overlaps")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, null, "gap in the data section")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, null, "tensors cover 4")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296,4],\"data_offsets\":[0,8]}}", 8, null, "impossibly large")]
    [InlineData("{\"a\":", 0, null, "not valid JSON")]
    [InlineData("{\"__metadata__\":{\"k\":1}}", 0, null, "is not a string")]
    public void InvalidHeadersAreRefused(string header, int dataBytes, ulong? declared, string reason)
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, File_(header, dataBytes, declared));
        var e = Assert.Throws<AtelierException>(() => SafeTensors.Load(path));
        Assert.Contains(reason, e.Message);
        Assert.Contains(path, e.Message);
    }
}
