using Atelier.Imaging;
using Atelier.Texture;
using Xunit;

namespace Atelier.Tests.Texture;

public class TextureTransferTests
{
    [Fact]
    public void AlphaAndBlockSchedulesFollowThePaper()
    {
        Assert.Equal(0.1, TextureTransfer.AlphaSchedule(1, 3), 12);
        Assert.Equal(0.5, TextureTransfer.AlphaSchedule(2, 3), 12);
        Assert.Equal(0.9, TextureTransfer.AlphaSchedule(3, 3), 12);
        Assert.Equal([27, 18, 12, 8], TextureTransfer.BlockSchedule(27, 4));
    }

    [Fact]
    public void OutputFollowsTheTargetsLuminance()
    {
        // A texture with dark and bright regions; a target that is dark on the left and bright on the right.
        var texture = new Image(24, 24, 3);
        var rng = new Random(1);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 24; x++)
                    texture[c, y, x] = (x < 12 ? 0.2f : 0.8f) + 0.1f * (rng.NextSingle() - 0.5f);
        var target = new Image(32, 28, 1);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 32; x++) target[0, y, x] = x < 16 ? 0.1f : 0.9f;
        var output = TextureTransfer.Transfer(texture, target, new TransferOptions { Block = 8, Iterations = 2 }, seed: 3);
        Assert.Equal((32, 28, 3), (output.Width, output.Height, output.Channels));
        double Mean(int x0, int x1)
        {
            double s = 0; int n = 0;
            for (int y = 0; y < 28; y++) for (int x = x0; x < x1; x++) { s += output[1, y, x]; n++; }
            return s / n;
        }
        double left = Mean(0, 14), right = Mean(18, 32);
        Assert.True(left < 0.35 && right > 0.65, $"left {left}, right {right}");
    }

    [Fact]
    public void FastEngineGivesTheReferenceResult()
    {
        var texture = SyntheticTextures.Organic(20, 20, 2);
        var target = SyntheticTextures.Organic(26, 24, 7);
        var opt = new TransferOptions { Block = 8, Iterations = 2, CorrespondenceBlur = 1 };
        var a = TextureTransfer.Transfer(texture, target, opt, seed: 1);
        var b = TextureTransfer.Transfer(texture, target, opt with { Engine = SearchEngine.Reference }, seed: 1);
        Assert.Equal(b.Data, a.Data);
    }

    [Fact]
    public void LuminanceRemapMatchesMeanAndSpread()
    {
        float[] map = [0f, 1f, 0f, 1f];
        TextureTransfer.Remap(map, new float[] { 0.4f, 0.6f, 0.4f, 0.6f });
        Assert.Equal([0.4f, 0.6f, 0.4f, 0.6f], map.Select(v => MathF.Round(v, 5)).ToArray());
    }

    [Fact]
    public void BadAlphaIsAUsageError()
    {
        var t = SyntheticTextures.Organic(20, 20, 2);
        var e = Assert.Throws<AtelierUsageException>(() => TextureTransfer.Transfer(t, t, new TransferOptions { Alpha = 1.5 }, seed: 1));
        Assert.Contains("Alpha", e.Message);
        Assert.Equal(nameof(TransferOptions.Alpha), e.Parameter);
    }
}
