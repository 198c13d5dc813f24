using Atelier.Methods;
using Atelier.Networks;
using Device = TorchSharp.torch.Device;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Studio.Methods;

/// <summary>
/// What a studio job borrows: feature networks come from the process-wide <see cref="StudioFeatures"/> (built once,
/// shared read-only: the methods optimise the picture, never the network); StyleGAN generators are rented from the
/// <see cref="GeneratorPool"/> (a live slider re-runs the job often, and reading the checkpoint cost more than the
/// picture) and returned when the job ends; other models are loaded per job as the base does.
/// </summary>
public sealed class StudioResources(Func<Device>? device = null) : MethodResources
{
    readonly List<GeneratorPool.Lease> _leases = [];

    public override FeatureNetwork Features(string choice, VggPooling pooling, Device device) => StudioFeatures.Get(choice, pooling, device);

    /// <summary>Made once per process, then copied into a blank network per job (a live slider would feel the seeding on every move).</summary>
    public override T BuiltIn<T>(string name, Func<T> make, Func<T> blank) => BuiltInEncoder.Copy(name, make, blank);

    /// <summary>
    /// A StyleGAN generator is the pool's, loaded by <see cref="StyleGan.GeneratorLoader"/> on the job's device
    /// (<paramref name="load"/> is not called for it): ask for it before opening a dispose scope, so that a fresh load's
    /// weights outlive the job and go back to the pool.
    /// </summary>
    public override T Model<T>(string path, Func<string, T> load)
    {
        if (typeof(T) != typeof(Generator)) return base.Model(path, load);
        var lease = GeneratorPool.Rent(path, device?.Invoke() ?? TorchSharp.torch.CPU);
        _leases.Add(lease);
        return (T)(object)lease.Generator;
    }

    public override void Dispose()
    {
        foreach (var lease in _leases) lease.Dispose();
        _leases.Clear();
        base.Dispose();
    }
}
