using System.Text.RegularExpressions;
using Atelier.Models;
using Xunit;

namespace Atelier.Tests.Models;

/// <summary>The built-in catalogue is complete data: every entry loadable by name, sourced, licensed, and no name taken twice.</summary>
public class CatalogueTests
{
    [Fact]
    public void EveryEntryHasAnAddressALicenceAPageAndASource()
    {
        var entries = Catalogue.BuiltIn.Entries;
        Assert.True(entries.Count >= 40, $"{entries.Count} entries");
        foreach (var e in entries)
        {
            Assert.NotEmpty(e.Urls);
            Assert.All(e.Urls, u => Assert.Matches("^https?://", u));
            Assert.False(string.IsNullOrWhiteSpace(e.Licence), e.Name);
            Assert.False(string.IsNullOrWhiteSpace(e.LicenceShort), e.Name);
            Assert.StartsWith("http", e.Page);
            Assert.False(string.IsNullOrWhiteSpace(e.Source), e.Name);
            Assert.Same(e, Catalogue.BuiltIn.Find(e.Name));
            if (e.Archive is { } a) { Assert.Contains(a.Url, e.Urls); Assert.EndsWith("/" + e.File, a.Member); }
        }
        // The issue's entries, at least.
        foreach (var name in new[] { "vgg19", "vgg16", "adain-vgg", "adain-decoder", "fast-style-mosaic-pytorch", "fast-style-udnie-pytorch", "fast-style-rain-princess-pytorch",
                     "fast-style-candy-pytorch", "horse2zebra", "monet2photo", "style-monet", "style-cezanne", "style-ukiyoe", "style-vangogh",
                     "summer2winter-yosemite", "pix2pix-facades-label2photo", "pix2pix-edges2shoes", "pix2pix-sat2map", "pix2pix-map2sat",
                     "pix2pix-day2night", "stylegan2-ada-ffhq", "stylegan2-ada-metfaces", "stylegan2-ada-afhqcat" })
            Assert.NotNull(Catalogue.BuiltIn.Find(name));
    }

    [Fact]
    public void TorchvisionFilesCarryTheirHashPrefixInTheirNames()
    {
        foreach (var e in Catalogue.BuiltIn.Entries.Where(e => e.Kind == "vgg-torchvision"))
        {
            // torch.hub's rule: the text between the last '-' and the '.' is a prefix of the file's SHA-256.
            var m = Regex.Match(e.File, @"-([a-f0-9]+)\.");
            Assert.True(m.Success, e.File);
            Assert.Equal(m.Groups[1].Value, e.HashPrefix);
            Assert.False(e.TrustOnFirstUse);
            Assert.True(e.MatchesPublishedHash(e.HashPrefix + new string('0', 56)));
            Assert.False(e.MatchesPublishedHash(new string('f', 64)));
        }
    }

    [Fact]
    public void EveryKindHasAnOptionThatTakesItAndNoNameIsAShippedModels()
    {
        var uses = new[] { ModelUse.FastStyle, ModelUse.AdaInDecoder, ModelUse.AdaInEncoder, ModelUse.Features, ModelUse.Pix2Pix, ModelUse.CycleGan, ModelUse.StyleGan };
        foreach (var e in Catalogue.BuiltIn.Entries)
            Assert.True(uses.Any(u => u.Accepts(e)), $"{e.Name}: no option takes kind {e.Kind}");
        // Shipped models win a name; the catalogue must not hide behind one (pytorch/examples' candy is fast-style-candy-pytorch).
        foreach (var m in ShippedModels.All())
            Assert.Null(Catalogue.BuiltIn.Find(m.Name));
    }

    [Fact]
    public void ACatalogueWithUnsafeOrRepeatedNamesIsRefused()
    {
        CatalogueEntry E(string name, string file) => new() { Name = name, Kind = "fast-style", File = file };
        Assert.Contains("plain names", Assert.Throws<AtelierException>(() => new Catalogue([E("ok", "../evil.pth")])).Message);
        Assert.Contains("plain names", Assert.Throws<AtelierException>(() => new Catalogue([E("..", "a.pth")])).Message);
        Assert.Contains("appears twice", Assert.Throws<AtelierException>(() => new Catalogue([E("a", "a.pth"), E("a", "b.pth")])).Message);
    }

    [Fact]
    public void TheCacheFolderFollowsAtelierHomeThenXdgThenHome()
    {
        Assert.Equal("/a", ModelCache.DefaultRoot(v => v switch { "ATELIER_HOME" => "/a", "XDG_CACHE_HOME" => "/x", "HOME" => "/h", _ => null }));
        Assert.Equal(Path.Combine("/x", "atelier"), ModelCache.DefaultRoot(v => v switch { "XDG_CACHE_HOME" => "/x", "HOME" => "/h", _ => null }));
        Assert.Equal(Path.Combine("/h", ".cache", "atelier"), ModelCache.DefaultRoot(v => v == "HOME" ? "/h" : null));
        Assert.Equal(Path.Combine("/a", "models"), new ModelCache("/a").ModelsFolder);
    }
}
