using Atelier.Methods;
using Atelier.Networks;
using Device = TorchSharp.torch.Device;

namespace Atelier.Studio.Methods;

/// <summary>
/// What a studio job borrows: feature networks come from the process-wide <see cref="StudioFeatures"/> (built once,
/// shared read-only: the methods optimise the picture, never the network); models are loaded per job as the base does.
/// </summary>
public sealed class StudioResources : MethodResources
{
    public override FeatureNetwork Features(string choice, VggPooling pooling, Device device) => StudioFeatures.Get(choice, pooling, device);

    /// <summary>Made once per process, then copied into a blank network per job (a live slider would feel the seeding on every move).</summary>
    public override T BuiltIn<T>(string name, Func<T> make, Func<T> blank) => BuiltInEncoder.Copy(name, make, blank);
}
