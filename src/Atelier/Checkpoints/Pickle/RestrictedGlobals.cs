using System.Text;

namespace Atelier.Checkpoints.Pickle;

/// <summary>
/// The only module-level names a checkpoint's pickle may reference, and what calling each of them means, in C#.
/// Any other name (os.system, builtins.eval, subprocess.Popen...) is refused the moment the pickle mentions it,
/// so nothing outside this list can ever be reached. Tensors become <see cref="TensorRecord"/>s; storages come
/// from the reader's persistent-load function, which validates them against the file.
/// </summary>
public sealed class RestrictedGlobals
{
    readonly Func<object?, object?>? _persistentLoad;
    readonly Func<byte[], StorageRef>? _storageFromBytes;

    /// <param name="persistentLoad">Resolves a persistent id (PyTorch's storage tuples); null refuses them.</param>
    /// <param name="storageFromBytes">
    /// For pickles written by <c>pickle.dump</c> rather than torch.save (NVlabs' StyleGAN2-ADA snapshots): reads one
    /// storage pickled as <c>torch.storage._load_from_bytes(blob)</c>, a nested torch.save. Only with it are the
    /// names such pickles need (<see cref="PlainPickleNames"/>) allowed; null refuses them.
    /// </param>
    public RestrictedGlobals(Func<object?, object?>? persistentLoad, Func<byte[], StorageRef>? storageFromBytes = null)
    {
        _persistentLoad = persistentLoad;
        _storageFromBytes = storageFromBytes;
    }

    static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.object",
        "_codecs.encode",
        "copyreg._reconstructor",
        "argparse.Namespace",
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch._tensor._rebuild_from_type_v2", "torch.Tensor", "torch._tensor.Tensor", "torch.nn.parameter.Parameter",
        "torch.device", "torch.Size",
        "torch.UntypedStorage", "torch.storage.UntypedStorage", "torch.storage.TypedStorage", "torch.TypedStorage",
    };

    /// <summary>
    /// What NVlabs' pickles add: persistent-class records (taken apart, never run: <see cref="PersistentObject"/>),
    /// dnnlib's EasyDict (a dict), numpy number scalars, and storages as nested torch.save blobs.
    /// </summary>
    static readonly HashSet<string> PlainPickleNames = new(StringComparer.Ordinal)
    {
        "torch_utils.persistence._reconstruct_persistent_obj",
        "dnnlib.util.EasyDict", "dnnlib.EasyDict",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype", // numpy 2 renamed core to _core
        "torch.storage._load_from_bytes",
    };

    /// <summary>Python 2 module names that Python 3 (and so PyTorch) maps to their new homes.</summary>
    static string FixModule(string module) => module switch
    {
        "__builtin__" => "builtins",
        "copy_reg" => "copyreg",
        _ => module,
    };

    public static bool IsAllowed(string module, string name)
    {
        var full = FixModule(module) + "." + name;
        if (Allowed.Contains(full)) return true;
        // torch.FloatStorage, torch.HalfStorage, ... (typed storage classes used in persistent ids) and
        // torch.float32, torch.half, ... (dtype values).
        return module == "torch" && (DType.FromStorageName(name) != null || DType.FromTorchName(name) != null);
    }

    public PickleGlobal Resolve(string module, string name)
    {
        if (!IsAllowed(module, name) && !(_storageFromBytes != null && PlainPickleNames.Contains(FixModule(module) + "." + name)))
            throw new PickleException($"refused global '{FixModule(module)}.{name}' (not on the allow-list of checkpoint types; the file may be malicious)");
        return new PickleGlobal(FixModule(module), name);
    }

    /// <summary>REDUCE: calls an allowed function with <paramref name="args"/>.</summary>
    public object? Call(object? callable, PickleTuple args)
    {
        if (callable is not PickleGlobal g) throw new PickleException($"REDUCE of {PickleFormat.Short(callable)}, which is not a callable name");
        switch (g.FullName)
        {
            case "collections.OrderedDict":
            {
                var d = new PickleDict { IsOrdered = true };
                if (args.Count == 1 && args[0] is PickleList pairs)
                    foreach (var p in pairs)
                    {
                        if (p is not PickleTuple { Count: 2 } kv) throw new PickleException("OrderedDict item is not a pair");
                        d.Set(kv[0], kv[1]);
                    }
                else if (args.Count != 0) throw new PickleException("OrderedDict called with unexpected arguments");
                return d;
            }
            case "builtins.set":
            case "builtins.frozenset":
            {
                var s = new PickleSet();
                if (args.Count == 1 && args[0] is IEnumerable<object?> items) s.AddRange(items);
                else if (args.Count != 0) throw new PickleException($"{g.Name} called with unexpected arguments");
                return s;
            }
            case "builtins.bytearray":
                if (args.Count == 0) return Array.Empty<byte>();
                if (args.Count == 1 && args[0] is byte[] b) return b;
                if (args.Count == 2 && args[0] is string str && args[1] is string enc) return Encode(str, enc);
                throw new PickleException("bytearray called with unexpected arguments");
            case "_codecs.encode":
                // How protocol 2 spells a bytes literal: _codecs.encode('\x00...', 'latin1').
                if (args.Count is 1 or 2 && args[0] is string text) return Encode(text, args.Count == 2 ? args[1] as string ?? "" : "utf-8");
                throw new PickleException("_codecs.encode called with unexpected arguments");
            case "copyreg._reconstructor":
                // Protocols 0/1 pickle plain objects as _reconstructor(cls, object, None).
                if (args.Count == 3 && args[1] is PickleGlobal { FullName: "builtins.object" } && args[2] is null) return New(args[0], PickleTuple.Empty);
                throw new PickleException("copyreg._reconstructor called with unexpected arguments");
            case "torch_utils.persistence._reconstruct_persistent_obj":
                return PersistentObject.FromRecord(args);
            case "torch.storage._load_from_bytes":
                if (args.Count == 1 && args[0] is byte[] blob) return _storageFromBytes!(blob);
                throw new PickleException("_load_from_bytes called with unexpected arguments");
            case "numpy.dtype":
                return NumpyDType.Create(args);
            case "numpy.core.multiarray.scalar":
            case "numpy._core.multiarray.scalar":
                return NumpyDType.Scalar(args);
            case "argparse.Namespace":
                if (args.Count != 0) throw new PickleException("argparse.Namespace called with positional arguments");
                return new PickleObject(g);
            case "torch.device":
                if (args.Count == 1 && args[0] is string dev) return dev;
                if (args.Count == 2 && args[0] is string type && args[1] is long index) return $"{type}:{index}";
                throw new PickleException("torch.device called with unexpected arguments");
            case "torch.Size":
                if (args.Count == 1 && args[0] is PickleTuple dims && dims.All(x => x is long)) return dims;
                throw new PickleException("torch.Size called with unexpected arguments");
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                return RebuildTensor(args, g.Name);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (args.Count >= 3 && args[0] is TensorRecord data && args[1] is bool) { CheckNoHooks(args[2]); return data; }
                throw new PickleException($"{g.Name} called with unexpected arguments");
            case "torch._tensor._rebuild_from_type_v2":
                // (func, new_type, args, state): the tensor subclass is dropped; Atelier keeps the plain tensor.
                if (args.Count == 4 && args[0] is PickleGlobal func && args[1] is PickleGlobal && args[2] is PickleTuple inner)
                {
                    var result = Call(func, inner);
                    if (result is not TensorRecord) throw new PickleException("_rebuild_from_type_v2 did not rebuild a tensor");
                    return result;
                }
                throw new PickleException("_rebuild_from_type_v2 called with unexpected arguments");
            default:
                throw new PickleException($"refused call of '{g.FullName}' (allowed as a name, not as a function)");
        }
    }

    /// <summary>NEWOBJ: cls.__new__(cls, *args) for the few plain-data classes.</summary>
    public object New(object? cls, PickleTuple args)
    {
        if (cls is not PickleGlobal g) throw new PickleException($"NEWOBJ of {PickleFormat.Short(cls)}, which is not a class");
        return g.FullName switch
        {
            "argparse.Namespace" => new PickleObject(g),
            "collections.OrderedDict" or "dnnlib.util.EasyDict" or "dnnlib.EasyDict" => new PickleDict { IsOrdered = g.Module == "collections" },
            "builtins.set" or "builtins.frozenset" => new PickleSet(),
            _ => throw new PickleException($"refused to create an instance of '{g.FullName}'"),
        };
    }

    /// <summary>BUILD: sets an object's state (attributes), never calling __setstate__.</summary>
    public void Build(object? target, object? state)
    {
        if (target is NumpyDType dtype) { dtype.SetState(state); return; }
        Dictionary<string, object?> attributes = target switch
        {
            PickleObject o => o.Attributes,
            PickleDict d => d.Attributes,
            _ => throw new PickleException($"BUILD on {PickleFormat.Short(target)} refused"),
        };
        if (state is null) return;
        // state may be a dict, or (dict, slot-dict) for classes with __slots__.
        var parts = state is PickleTuple { Count: 2 } t ? new[] { t[0], t[1] } : new[] { state };
        foreach (var part in parts)
        {
            if (part is null) continue;
            if (part is not PickleDict d) throw new PickleException("BUILD state is not a dict");
            foreach (var (k, v) in d.Items)
                attributes[k as string ?? throw new PickleException("attribute name is not a string")] = v;
        }
    }

    public object? PersistentLoad(object? pid)
    {
        if (_persistentLoad == null) throw new PickleException("persistent id in a pickle that may not have any");
        return _persistentLoad(pid);
    }

    static TensorRecord RebuildTensor(PickleTuple args, string name)
    {
        int expected = name == "_rebuild_tensor" ? 4 : 6;
        if (args.Count < expected || args.Count > expected + 1) throw new PickleException($"{name} called with {args.Count} arguments");
        if (args[0] is not StorageRef storage) throw new PickleException($"{name}: first argument is not a storage");
        if (args[1] is not long offset) throw new PickleException($"{name}: storage offset is not an integer");
        var size = Longs(args[2], name, "size");
        var stride = Longs(args[3], name, "stride");
        if (expected == 6)
        {
            if (args[4] is not bool) throw new PickleException($"{name}: requires_grad is not a bool");
            CheckNoHooks(args[5]);
        }
        return new TensorRecord(storage, offset, size, stride);
    }

    static void CheckNoHooks(object? hooks)
    {
        if (hooks is null || hooks is PickleDict { Count: 0 }) return;
        throw new PickleException("tensor carries backward hooks, which Atelier does not load");
    }

    static long[] Longs(object? v, string name, string what)
    {
        if (v is not PickleTuple t) throw new PickleException($"{name}: {what} is not a tuple");
        var r = new long[t.Count];
        for (int i = 0; i < t.Count; i++) r[i] = t[i] as long? ?? throw new PickleException($"{name}: {what} holds a non-integer");
        return r;
    }

    static byte[] Encode(string text, string encoding) => encoding.ToLowerInvariant() switch
    {
        "latin1" or "latin-1" or "iso-8859-1" => Encoding.Latin1.GetBytes(text),
        "utf-8" or "utf8" => Encoding.UTF8.GetBytes(text),
        "ascii" => Encoding.ASCII.GetBytes(text),
        _ => throw new PickleException($"unsupported text encoding '{encoding}'"),
    };
}
