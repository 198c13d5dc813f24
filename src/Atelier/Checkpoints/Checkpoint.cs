using System.Text;
using Atelier.Checkpoints.Pickle;

namespace Atelier.Checkpoints;

/// <summary>
/// Loads a checkpoint whatever its format, recognised by content (not extension): PyTorch's zip format,
/// PyTorch's legacy format, a plain pickle of networks (NVlabs' StyleGAN2-ADA .pkl), or safetensors. PyTorch files are read by Atelier's own restricted unpickler,
/// so a hostile file is refused with a one-line <see cref="AtelierException"/> and never runs code.
/// </summary>
public static class Checkpoint
{
    /// <summary>Loads every tensor (on the CPU) and the file's plain data.</summary>
    public static CheckpointFile Load(string path)
    {
        var (format, root, metadata) = Read(path, headersOnly: false);
        return new CheckpointFile(path, format, root, metadata);
    }

    /// <summary>
    /// Reads what the file holds without its tensor data (dtypes, shapes, plain values), and without libtorch: for
    /// inspecting and recognising files quickly, whatever their size.
    /// </summary>
    public static CheckpointHeaders ReadHeaders(string path)
    {
        var (format, root, metadata) = Read(path, headersOnly: true);
        return new CheckpointHeaders(path, format, root, metadata);
    }

    /// <summary>The file's object by its format's reader: tensors loaded, or (headers only) <see cref="TensorHeader"/>s in their place.</summary>
    static (CheckpointFormat Format, object? Root, IReadOnlyDictionary<string, string>? Metadata) Read(string path, bool headersOnly)
    {
        var format = DetectFormat(path);
        switch (format)
        {
            case CheckpointFormat.SafeTensors:
            {
                // A dict of the tensors in name order, as a state-dict pickle would hold them.
                var root = new PickleDict { IsOrdered = true };
                if (headersOnly)
                {
                    var header = SafeTensors.ReadHeader(path);
                    foreach (var e in header.Entries.OrderBy(e => e.Name, StringComparer.Ordinal)) root.Set(e.Name, new TensorHeader(e.DType, e.Shape));
                    return (format, root, header.Metadata);
                }
                var content = SafeTensors.Load(path);
                foreach (var (k, v) in content.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal)) root.Set(k, v);
                return (format, root, content.Metadata);
            }
            case CheckpointFormat.TorchZip:
                return (format, headersOnly ? TorchZipReader.ReadHeaders(path) : TorchZipReader.Load(path), null);
            case CheckpointFormat.Pickle:
                return (format, headersOnly ? PlainPickleReader.ReadHeaders(path) : PlainPickleReader.Load(path), null);
            default:
                return (format, headersOnly ? TorchLegacyReader.ReadHeaders(path) : TorchLegacyReader.Load(path), null);
        }
    }

    /// <summary>Loads a model state dict: the tensors under <paramref name="select"/> when given (e.g. "g_ema"),
    /// with a leading "module." (DataParallel) removed when every key has it.</summary>
    public static Dictionary<string, TorchSharp.torch.Tensor> LoadStateDict(string path, string? select = null)
    {
        using var file = Load(path);
        return Detach(select == null ? file.StateDict : file.Select(select));
    }

    /// <summary>
    /// Loads the state dict of the network a file holds: when the recogniser finds one of <paramref name="runKinds"/>
    /// (a training run keeping the network beside its optimiser, e.g. net.* of a fast-style run), the tensors under
    /// the run's prefix; otherwise the whole file, as <see cref="LoadStateDict"/>. So a run's checkpoint.safetensors
    /// loads wherever the network's own file does.
    /// </summary>
    public static Dictionary<string, TorchSharp.torch.Tensor> LoadNetworkStateDict(string path, params ArchitectureKind[] runKinds)
    {
        using var file = Load(path);
        return NetworkStateDict(file, runKinds);
    }

    /// <summary><see cref="LoadNetworkStateDict"/> for a file already open (its tensors outlive it).</summary>
    public static Dictionary<string, TorchSharp.torch.Tensor> NetworkStateDict(CheckpointFile file, params ArchitectureKind[] runKinds)
    {
        var found = ArchitectureRecognizer.Identify(file);
        return Detach(runKinds.Contains(found.Kind) && found.Prefix is { } prefix ? file.Select(prefix) : file.StateDict);
    }

    static Dictionary<string, TorchSharp.torch.Tensor> Detach(IReadOnlyDictionary<string, TorchSharp.torch.Tensor> sd)
    {
        var stripped = StateDicts.StripPrefixIfAll(sd, "module.");
        // Detach the chosen tensors from the file so disposing the file keeps them.
        var result = new Dictionary<string, TorchSharp.torch.Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in stripped) result[k] = v.alias();
        return result;
    }

    /// <summary>Recognises the format from the first bytes of the file.</summary>
    public static CheckpointFormat DetectFormat(string path)
    {
        if (!File.Exists(path)) throw new AtelierException($"{path}: no such file");
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var head = new byte[Math.Min(fs.Length, 512)];
        fs.ReadExactly(head);
        if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2], head[3]) is (3, 4) or (5, 6))
            return CheckpointFormat.TorchZip;
        if (TorchLegacyReader.LooksLegacy(head)) return CheckpointFormat.TorchLegacy;
        if (head.Length >= 10)
        {
            ulong n = BitConverter.ToUInt64(head, 0);
            if (n >= 2 && n <= (ulong)(fs.Length - 8) && head[8] == '{') return CheckpointFormat.SafeTensors;
        }
        if (PlainPickleReader.LooksLikePickle(head)) return CheckpointFormat.Pickle;
        if (head.Length >= 262 && Encoding.ASCII.GetString(head, 257, 5) == "ustar")
            throw new AtelierException($"{path}: the tar checkpoint format of PyTorch 0.3 and earlier is not supported (re-save it with a newer PyTorch)");
        if (head.Length == 0) throw new AtelierException($"{path}: empty file, not a checkpoint");
        throw new AtelierException($"{path}: not a checkpoint Atelier recognises (expected a PyTorch .pth/.pt/.ckpt file, an NVlabs StyleGAN2-ADA .pkl or a .safetensors file)");
    }
}
