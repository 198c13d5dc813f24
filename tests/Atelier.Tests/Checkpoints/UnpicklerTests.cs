using Atelier.Checkpoints;
using Atelier.Checkpoints.Pickle;
using Xunit;

namespace Atelier.Tests.Checkpoints;

public class UnpicklerTests
{
    static object? Load(byte[] pickle) => Unpickler.Load(pickle, new RestrictedGlobals(null));

    /// <summary>
    /// pickle.dumps({'a': [1, 2.5, 'x\u00e9', (True, None)], 'b': b'\x00\x01', 'big': 2**70, 'neg': -5, 's': {7},
    /// 'nested': ((1,), [[]])}, protocol=P) by CPython 3.11, for every protocol.
    /// </summary>
    [Theory]
    [InlineData(0, "286470300a56610a70310a286c70320a49310a6146322e350a615678e90a70330a61284930310a4e7470340a617356620a70350a635f636f646563730a656e636f64650a70360a28565c7530303030010a70370a566c6174696e310a70380a7470390a527031300a73566269670a7031310a4c313138303539313632303731373431313330333432344c0a73566e65670a7031320a492d350a7356730a7031330a635f5f6275696c74696e5f5f0a7365740a7031340a28286c7031350a49370a61747031360a527031370a73566e65737465640a7031380a282849310a747031390a286c7032300a286c7032310a61747032320a732e")]
    [InlineData(1, "7d71002858010000006171015d7102284b01474004000000000000580300000078c3a97103284930310a4e747104655801000000627105635f636f646563730a656e636f64650a71062858020000000001710758060000006c6174696e31710874710952710a5803000000626967710b4c313138303539313632303731373431313330333432344c0a58030000006e6567710c4afbffffff580100000073710d635f5f6275696c74696e5f5f0a7365740a710e285d710f4b076174711052711158060000006e6573746564711228284b017471135d71145d711561747116752e")]
    [InlineData(2, "80027d71002858010000006171015d7102284b01474004000000000000580300000078c3a97103884e867104655801000000627105635f636f646563730a656e636f64650a710658020000000001710758060000006c6174696e31710886710952710a5803000000626967710b8a0900000000000000004058030000006e6567710c4afbffffff580100000073710d635f5f6275696c74696e5f5f0a7365740a710e5d710f4b076185711052711158060000006e657374656471124b018571135d71145d711561867116752e")]
    [InlineData(3, "80037d71002858010000006171015d7102284b01474004000000000000580300000078c3a97103884e867104655801000000627105430200017106580300000062696771078a0900000000000000004058030000006e656771084afbffffff5801000000737109636275696c74696e730a7365740a710a5d710b4b076185710c52710d58060000006e6573746564710e4b0185710f5d71105d711161867112752e")]
    [InlineData(4, "80049565000000000000007d94288c0161945d94284b014740040000000000008c0378c3a994884e8694658c01629443020001948c03626967948a090000000000000000408c036e6567944afbffffff8c0173948f94284b07908c066e6573746564944b0185945d945d94618694752e")]
    [InlineData(5, "80059565000000000000007d94288c0161945d94284b014740040000000000008c0378c3a994884e8694658c01629443020001948c03626967948a090000000000000000408c036e6567944afbffffff8c0173948f94284b07908c066e6573746564944b0185945d945d94618694752e")]
    public void ReadsPlainDataInEveryProtocol(int protocol, string hex)
    {
        var d = Assert.IsType<Dictionary<string, object?>>(CheckpointFile.ToPlain(Load(Convert.FromHexString(hex)), 0));
        Assert.Equal(new object?[] { 1L, 2.5, "x\u00e9", new List<object?> { true, null } }, Assert.IsType<List<object?>>(d["a"]));
        Assert.Equal(new byte[] { 0, 1 }, d["b"]);
        Assert.Equal("1180591620717411303424", d["big"]);
        Assert.Equal(-5L, d["neg"]);
        Assert.Equal(new List<object?> { 7L }, d["s"]);
        Assert.Equal("[[1],[[]]]", System.Text.Json.JsonSerializer.Serialize(d["nested"]));
        Assert.True(protocol >= 0);
    }

    [Theory]
    [InlineData("80025d71005d7100", "truncated")]                // no STOP
    [InlineData("8002580000ff7f", "exceeds")]                     // BINUNICODE claiming 2 GB
    [InlineData("8002580a000000616263", "remain")]               // BINUNICODE longer than the stream
    [InlineData("8002680c2e", "memo entry 12 does not exist")]    // BINGET of nothing
    [InlineData("800261", "stack underflow")]                     // APPEND on an empty stack
    [InlineData("80024b014b022e", "STOP with 2 values")]
    [InlineData("80026e", "unknown opcode")]
    [InlineData("8002636f730a73797374656d0a2e", "refused global 'os.system'")]
    [InlineData("80048c086275696c74696e73948c046576616c94932e", "refused global 'builtins.eval'")]  // STACK_GLOBAL
    [InlineData("80026373756270726f636573730a506f70656e0a2e", "refused global 'subprocess.Popen'")]
    [InlineData("8002636275696c74696e730a7365740a2e", "STOP")] // an allowed name alone is fine up to STOP: checks it got there
    [InlineData("800263746f7263680a446f75626c6553746f726167650a29522e", "refused call of 'torch.DoubleStorage'")]
    [InlineData("80026961726770617273650a4e616d6573706163650a2e", "INST/OBJ")]
    public void MalformedOrHostileStreamsAreRefused(string hex, string reason)
    {
        var bytes = Convert.FromHexString(hex);
        if (reason == "STOP") { Assert.IsType<PickleGlobal>(Load(bytes)); return; }
        var e = Assert.Throws<PickleException>(() => Load(bytes));
        Assert.True(e.Message.Contains(reason), e.Message);
    }

    [Fact]
    public void DeeplyNestedTuplesAreRefusedBeforeTheyCanOverflowTheStack()
    {
        var bytes = new List<byte> { 0x80, 2, 0x4b, 1 };
        bytes.AddRange(Enumerable.Repeat((byte)0x85, 10_000)); // TUPLE1 x 10000
        bytes.Add((byte)'.');
        var e = Assert.Throws<PickleException>(() => Load(bytes.ToArray()));
        Assert.Contains("nested more than", e.Message);
    }

    [Fact]
    public void ObjectCountIsBounded()
    {
        var bytes = new List<byte> { 0x80, 2, (byte)']' };
        for (int i = 0; i < 2000; i++) bytes.AddRange(new byte[] { (byte)'K', 1, (byte)'a' });
        bytes.Add((byte)'.');
        var limits = new PickleLimits { MaxObjects = 1000 };
        var e = Assert.Throws<PickleException>(() => Unpickler.Load(bytes.ToArray(), new RestrictedGlobals(null), limits));
        Assert.Contains("memory bomb", e.Message);
    }
}
