using Atelier.Studio.Models;

namespace Atelier.Studio.Methods;

/// <summary>A panel of the page as the API describes it: its methods, and why any are unavailable.</summary>
public sealed record PanelInfo(string Id, string Title, bool Available, string? Needs, IReadOnlyList<MethodInfo> Methods);

public sealed record MethodInfo(string Id, string Title, string About, bool Available, string? Needs, IReadOnlyList<MethodParam> Params);

/// <summary>
/// The page's panels in order, with the methods this build offers. A panel whose method is not part of the
/// build, or whose model is missing, says plainly what is needed and how to get it.
/// </summary>
public sealed class PanelCatalog(IEnumerable<StudioMethod> methods)
{
    public IReadOnlyList<StudioMethod> Methods { get; } = methods.ToList();

    /// <summary>(panel id, title, what to say when the build has no method for it).</summary>
    static readonly (string Id, string Title, string NotBuilt)[] Panels =
    [
        ("texture", "Texture synthesis", "This build of Atelier has no texture synthesis methods (Efros-Leung, image quilting)."),
        ("fill", "Hole filling", "This build of Atelier has no hole-filling method."),
        ("gatys", "Gatys style transfer", "This build of Atelier has no Gatys style transfer (it needs the VGG network)."),
        ("faststyle", "Fast style and AdaIN", "This build of Atelier has no fast style transfer or AdaIN."),
        ("pix2pix", "Sketch to image (Pix2Pix)", "This build of Atelier has no Pix2Pix translation."),
        ("cyclegan", "CycleGAN", "This build of Atelier has no CycleGAN translation."),
        ("stylegan", "StyleGAN", "This build of Atelier has no StyleGAN generator."),
        ("inversion", "Inversion and edits", "This build of Atelier has no StyleGAN inversion."),
    ];

    public StudioMethod? Find(string id) =>
        Methods.FirstOrDefault(m => m.Id == id) ?? (MethodSet.Aliases.TryGetValue(id, out var now) ? Methods.FirstOrDefault(m => m.Id == now) : null);

    public IReadOnlyList<PanelInfo> Describe(ModelCatalog models)
    {
        var list = new List<PanelInfo>();
        foreach (var (id, title, notBuilt) in Panels)
        {
            var ms = Methods.Where(m => m.Panel == id)
                .Select(m => { var a = m.Check(models); return new MethodInfo(m.Id, m.Title, m.About, a.Available, a.Needs, m.Params); })
                .ToList();
            bool available = ms.Any(m => m.Available);
            string? needs = ms.Count == 0 ? notBuilt
                : available ? null
                : string.Join(" ", ms.Select(m => m.Needs).Where(n => n != null).Distinct());
            list.Add(new PanelInfo(id, title, available, needs, ms));
        }
        return list;
    }
}
