using Atelier.Checkpoints.Pickle;
using static TorchSharp.torch;

namespace Atelier.Checkpoints;

/// <summary>
/// Reads a pickle written by Python's <c>pickle.dump</c> rather than torch.save: NVlabs' StyleGAN2-ADA network
/// snapshots (<c>{G, D, G_ema, augment_pipe, training_set_kwargs}</c>). Their tensors pickle each storage as a
/// nested legacy torch.save blob (<c>torch.storage._load_from_bytes</c>), and their networks as
/// <c>torch_utils.persistence</c> records that embed Python source; the restricted unpickler takes those records
/// apart into <see cref="PersistentObject"/>s (parameters, buffers, sub-modules, constructor arguments) and never
/// runs anything. Any name outside the allow-list is refused, naming it.
/// </summary>
public static class PlainPickleReader
{
    /// <summary>A snapshot holds every network of a run (G, D, G_ema): hundreds of MB for the 1024 px models.</summary>
    static readonly PickleLimits Limits = PickleLimits.Default with { MaxPickleBytes = 4L << 30 };

    /// <summary>The object with <see cref="TensorHeader"/>s where its tensors are: each storage blob's header read, none of its data.</summary>
    public static object? ReadHeaders(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var input = new BufferedStream(fs, 1 << 16);
        int blobs = 0;
        StorageRef FromBytes(byte[] blob) => TorchLegacyReader.ReadStorageBlobHeader(blob, Limits) with { Key = $"blob{blobs++}" };
        try { return TensorMaterializer.Headers(new Unpickler(input, new RestrictedGlobals(null, FromBytes), Limits).Load()); }
        catch (PickleException e) { throw Unreadable(path, e); }
    }

    public static object? Load(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var input = new BufferedStream(fs, 1 << 16);
        var loaded = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        StorageRef FromBytes(byte[] blob)
        {
            var (storage, data) = TorchLegacyReader.ReadStorageBlob(blob, Limits);
            // Each blob numbers its storage from 0: give it a name unique in this file.
            var key = $"blob{loaded.Count}";
            loaded[key] = data;
            return storage with { Key = key };
        }
        try
        {
            var root = new Unpickler(input, new RestrictedGlobals(null, FromBytes), Limits).Load();
            using var materializer = new TensorMaterializer(s => loaded.Remove(s.Key, out var t) ? t : throw new PickleException($"storage {s.Key} has no data"));
            try { return materializer.Materialize(root); }
            catch { materializer.DisposeTensors(); throw; }
        }
        catch (PickleException e) { throw Unreadable(path, e); }
        finally
        {
            // Storages no tensor used (or all of them, on failure).
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    static AtelierException Unreadable(string path, PickleException e)
    {
        // The original StyleGAN/StyleGAN2 pickles hold TensorFlow networks, which NVlabs' legacy.py converts.
        var hint = e.Message.Contains("'dnnlib.tflib.", StringComparison.Ordinal)
            ? " (a TensorFlow StyleGAN pickle: NVlabs' stylegan2-ada-pytorch legacy.py converts it to a PyTorch one)" : "";
        return new AtelierException($"{path}: cannot read pickle: {e.Message}{hint}");
    }

    /// <summary>True when <paramref name="head"/> starts like a binary pickle (PROTO 2 to 5), not a legacy torch.save.</summary>
    internal static bool LooksLikePickle(ReadOnlySpan<byte> head) =>
        head.Length >= 2 && head[0] == PickleOpcodes.Proto && head[1] is >= 2 and <= 5 && !TorchLegacyReader.LooksLegacy(head);
}
