using Atelier.Checkpoints;
using Atelier.Models;
using Atelier.Studio.Hosting;
using Atelier.Studio.Models;
using static TorchSharp.torch;

namespace Atelier.Studio.Tests.Methods;

/// <summary>Catalogue models in the model cache are offered by their catalogue names; ones not fetched are not.</summary>
public class CatalogueModelTests
{
    [Fact]
    public void Fetched_catalogue_models_are_listed_by_name_with_their_kind()
    {
        var dir = Directory.CreateTempSubdirectory("atelier-studio-catalogue-");
        try
        {
            var catalogue = new Catalogue([
                new CatalogueEntry { Name = "fast-style-wave", Kind = "fast-style", File = "wave.pth", Urls = ["http://publisher.invalid/m.pth"] },
                new CatalogueEntry { Name = "horse2zebra", Kind = "cyclegan-generator", File = "horse2zebra.pth", Urls = ["http://publisher.invalid/h.pth"] },
            ]);
            var store = new ModelStore(catalogue, new ModelCache(dir.FullName), new FetchOptions { Offline = true });
            var mosaic = store.Cache.PathOf(catalogue.Get("fast-style-wave"));
            Directory.CreateDirectory(Path.GetDirectoryName(mosaic)!);
            manual_seed(5);
            using (var net = new Atelier.Style.TransformerNet()) SafeTensors.Save(mosaic, net.state_dict());
            using var _ = ModelStore.Use(store);

            var models = new ModelCatalog(new StudioOptions { ShippedModels = true, CacheDirectory = null, ModelRescanInterval = TimeSpan.Zero }).List();
            var listed = Assert.Single(models, m => m.Source == "catalogue");
            Assert.Equal("fast-style-wave", listed.Name);
            Assert.Equal("fast-style", listed.Kind);
            Assert.DoesNotContain(models, m => m.Name == "horse2zebra");
        }
        finally { dir.Delete(true); }
    }
}
