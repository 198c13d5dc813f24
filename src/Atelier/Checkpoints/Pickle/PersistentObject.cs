namespace Atelier.Checkpoints.Pickle;

/// <summary>
/// A network object of NVlabs' <c>torch_utils.persistence</c> (StyleGAN2-ADA's pickles), taken apart instead of
/// rebuilt: the pickle records each one as <c>_reconstruct_persistent_obj({type, version, module_src, class_name,
/// state})</c>, and Python would <c>exec</c> <c>module_src</c> to make the class. Atelier keeps only the class name
/// (checked against <see cref="KnownClasses"/>) and the object's <c>__dict__</c> (<see cref="State"/>): its
/// <c>_parameters</c>, <c>_buffers</c>, <c>_modules</c> and constructor arguments. The source is dropped unread.
/// </summary>
public sealed class PersistentObject
{
    /// <summary>The persistence format version NVlabs' StyleGAN2-ADA (and StyleGAN3) writes.</summary>
    public const long SupportedVersion = 6;

    /// <summary>
    /// The persistent classes of NVlabs/stylegan2-ada-pytorch (training/networks.py, training/augment.py). A record of
    /// any other class is refused: Atelier could not know what its state means.
    /// </summary>
    public static readonly IReadOnlySet<string> KnownClasses = new HashSet<string>(StringComparer.Ordinal)
    {
        "Generator", "MappingNetwork", "SynthesisNetwork", "SynthesisBlock", "SynthesisLayer", "ToRGBLayer",
        "FullyConnectedLayer", "Conv2dLayer", "Discriminator", "DiscriminatorBlock", "DiscriminatorEpilogue",
        "MinibatchStdLayer", "AugmentPipe",
    };

    public PersistentObject(string className, PickleDict state)
    {
        ClassName = className;
        State = state;
    }

    public string ClassName { get; }

    /// <summary>The object's attributes as pickled (a torch.nn.Module's __dict__).</summary>
    public PickleDict State { get; }

    /// <summary>Reads a <c>_reconstruct_persistent_obj</c> argument, refusing anything but a known class's record.</summary>
    public static PersistentObject FromRecord(PickleTuple args)
    {
        if (args.Count != 1 || args[0] is not PickleDict meta)
            throw new PickleException("torch_utils.persistence record is not a single dict");
        object? Field(string name) => meta.TryGetValue(name, out var v) ? v : throw new PickleException($"torch_utils.persistence record has no '{name}'");
        if (Field("type") is not "class") throw new PickleException($"torch_utils.persistence record of type {PickleFormat.Short(Field("type"))} refused");
        if (Field("version") is not SupportedVersion)
            throw new PickleException($"torch_utils.persistence version {PickleFormat.Short(Field("version"))} (Atelier reads version {SupportedVersion})");
        if (Field("class_name") is not string name) throw new PickleException("torch_utils.persistence class_name is not a string");
        if (Field("module_src") is not string)
            throw new PickleException($"torch_utils.persistence record of '{name}' carries no module source string");
        if (!KnownClasses.Contains(name))
            throw new PickleException($"refused persistent class '{name}' (its embedded source would have to run; Atelier reads only the StyleGAN2-ADA classes {string.Join(", ", KnownClasses)})");
        if (Field("state") is not PickleDict state) throw new PickleException($"persistent '{name}' has no state dict");
        return new PersistentObject(name, state);
    }

    object? Get(string name) => State.TryGetValue(name, out var v) ? v : null;

    /// <summary>Named entries of one of the module dicts (<c>_parameters</c>, <c>_buffers</c>, <c>_modules</c>), None ones left out.</summary>
    IEnumerable<(string Name, object Value)> Entries(string dict) =>
        Get(dict) is PickleDict d
            ? d.Items.Where(kv => kv.Value is not null and not PickleNone).Select(kv => (CheckpointFile.KeyName(kv.Key), kv.Value!))
            : [];

    /// <summary>Parameters then buffers, as torch's state_dict orders them (tensors once materialised).</summary>
    public IEnumerable<(string Name, object Value)> Tensors => Entries("_parameters").Concat(Entries("_buffers"));

    /// <summary>Sub-modules by attribute name (mapping, synthesis, b4, conv0...).</summary>
    public IEnumerable<(string Name, object Value)> Modules => Entries("_modules");

    /// <summary>The keyword arguments the object was constructed with (z_dim, w_dim, synthesis_kwargs...), or null.</summary>
    public PickleDict? InitKwargs => Get("_init_kwargs") as PickleDict;

    /// <summary>A plain attribute (conv_clamp, architecture, ...), or a sub-module, by name.</summary>
    public object? Attribute(string name) =>
        name == "init_kwargs" ? InitKwargs
        : Modules.FirstOrDefault(m => m.Name == name).Value ?? Get(name);

    public override string ToString() => $"{ClassName}(...)";
}
