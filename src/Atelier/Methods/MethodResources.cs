using Atelier.Networks;
using TorchSharp;
using Device = TorchSharp.torch.Device;

namespace Atelier.Methods;

/// <summary>
/// The networks and models runs borrow (<see cref="ParameterKind.Features"/> and <see cref="ParameterKind.Model"/>
/// values are resolved files or built-in names). This base loads what a run asks for and disposes it with itself, which
/// suits a command that runs once; the studio derives a version that keeps them between jobs, where reloading on
/// every slider move would cost more than the picture.
/// </summary>
public class MethodResources : IDisposable
{
    readonly List<IDisposable> _owned = [];
    readonly Dictionary<(string, VggPooling, string), FeatureNetwork> _features = [];
    readonly Dictionary<(Type, string), object> _models = [];

    /// <summary>
    /// The perceptual network <paramref name="choice"/> (a built-in name or a file) with this pooling, on <paramref name="device"/>;
    /// asked twice (a run's figures measured on the network it ran on), the same one.
    /// </summary>
    public virtual FeatureNetwork Features(string choice, VggPooling pooling, Device device)
    {
        var key = (choice, pooling, device.ToString());
        if (_features.TryGetValue(key, out var built)) return built;
        var net = FeatureNetworks.Load(choice, pooling);
        _owned.Add(net);
        net.to(device);
        _features[key] = net;
        return net;
    }

    /// <summary>
    /// The model in <paramref name="path"/>, loaded by <paramref name="load"/> (which puts it on the device it wants);
    /// asked again for the same file, the same one (a folder run lends one model to every picture). A run uses what it
    /// gets for its own length only; a derived class may lend the same object to later runs, never to two runs at once.
    /// </summary>
    public virtual T Model<T>(string path, Func<string, T> load) where T : class, IDisposable
    {
        if (_models.TryGetValue((typeof(T), path), out var kept)) return (T)kept;
        var model = load(path);
        _owned.Add(model);
        _models[(typeof(T), path)] = model;
        return model;
    }

    /// <summary>
    /// A network built into Atelier whose seeded weights take a while to make (the random-weight normalised VGG-19),
    /// for the caller to own: <paramref name="make"/> makes it, <paramref name="blank"/> the same network
    /// default-initialised. The base makes it; a front end that runs often keeps the weights and copies them into a blank one.
    /// </summary>
    public virtual T BuiltIn<T>(string name, Func<T> make, Func<T> blank) where T : torch.nn.Module => make();

    public virtual void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
        _features.Clear();
        _models.Clear();
        GC.SuppressFinalize(this);
    }
}
