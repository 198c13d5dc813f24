using Xunit;

namespace Atelier.Tests.Runtime;

/// <summary>Messages that name parameters by library name, for each front end to spell its own way.</summary>
public class AtelierExceptionTests
{
    [Fact]
    public void UsageMessageShowsLibraryNamesAndRendersThemForAFrontEnd()
    {
        var e = new AtelierUsageException("{LoadSize} 200: must be at least {CropSize} 256 (a {LoadSize} below the crop cannot be cropped)");
        Assert.Equal("LoadSize 200: must be at least CropSize 256 (a LoadSize below the crop cannot be cropped)", e.Message);
        Assert.Equal("LoadSize", e.Parameter);
        Assert.Equal(["LoadSize", "CropSize"], e.Parameters);
        Assert.Equal("--load-size 200: must be at least --crop-size 256 (a --load-size below the crop cannot be cropped)",
            e.Render(name => name == "LoadSize" ? "--load-size" : "--crop-size"));
        Assert.IsAssignableFrom<AtelierException>(e);
    }

    [Fact]
    public void OnlyCapitalisedNamesInBracesAreParameters()
    {
        var e = new AtelierUsageException("{R1} -1: must not be negative (in {braces}, {1})");
        Assert.Equal("R1 -1: must not be negative (in {braces}, {1})", e.Message);
        Assert.Equal(["R1"], e.Parameters);

        var none = new AtelierUsageException("give exactly one of them");
        Assert.Null(none.Parameter);
        Assert.Empty(none.Parameters);
        Assert.Equal("give exactly one of them", none.Render(_ => "--never"));
    }

    [Fact]
    public void APlainFailureIsNeverReadAsATemplateButNamingOneIs()
    {
        var plain = new AtelierException("/tmp/{Run}/x.png: no such file");
        Assert.Equal("/tmp/{Run}/x.png: no such file", plain.Message);
        Assert.Null(plain.Template);
        Assert.Empty(plain.Parameters);
        Assert.Equal(plain.Message, plain.Render(_ => "--never"));

        var named = AtelierException.Naming("codes.safetensors holds (2, 8, 16) (is it a w+ file? use {Space} w+)");
        Assert.IsNotType<AtelierUsageException>(named); // a failure of the file, not a usage error
        Assert.Equal("codes.safetensors holds (2, 8, 16) (is it a w+ file? use Space w+)", named.Message);
        Assert.Equal("Space", named.Parameter);
        Assert.EndsWith("use --space w+)", named.Render(name => "--" + name.ToLowerInvariant()));
    }
}
