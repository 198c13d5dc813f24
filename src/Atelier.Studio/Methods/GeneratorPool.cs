using Atelier.StyleGan;
using Device = TorchSharp.torch.Device;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Studio.Methods;

/// <summary>
/// Loaded StyleGAN generators kept between jobs: a live slider re-runs a method on every move, and reading the
/// checkpoint each time cost more than the picture. A generator is lent to one job at a time (jobs run concurrently
/// and a generator's buffers are not shared safely); a second job at once gets a fresh load, and the pool keeps at
/// most <see cref="Capacity"/> idle generators (the least recently returned go first). A changed file is loaded anew.
/// </summary>
public static class GeneratorPool
{
    public const int Capacity = 4;

    static readonly Lock Gate = new();
    static readonly LinkedList<(string Key, Generator Generator)> Idle = new();

    /// <summary>A generator of <paramref name="path"/> on <paramref name="device"/>, for this job alone; dispose the lease to return it.</summary>
    public static Lease Rent(string path, Device device)
    {
        var key = KeyOf(path, device);
        lock (Gate)
        {
            for (var node = Idle.First; node is not null; node = node.Next)
                if (node.Value.Key == key)
                {
                    Idle.Remove(node);
                    return new Lease(key, node.Value.Generator);
                }
        }
        return new Lease(key, GeneratorLoader.Load(path, device));
    }

    /// <summary>Idle generators, for tests.</summary>
    public static int IdleCount { get { lock (Gate) return Idle.Count; } }

    static void Return(string key, Generator g)
    {
        lock (Gate)
        {
            Idle.AddFirst((key, g));
            while (Idle.Count > Capacity)
            {
                Idle.Last!.Value.Generator.Dispose();
                Idle.RemoveLast();
            }
        }
    }

    /// <summary>The file's identity as loaded: its path, size and time written (a rewritten checkpoint is another key), and the device.</summary>
    static string KeyOf(string path, Device device)
    {
        var fi = new FileInfo(path);
        return $"{fi.FullName}|{(fi.Exists ? fi.Length : -1)}|{(fi.Exists ? fi.LastWriteTimeUtc.Ticks : 0)}|{device}";
    }

    public sealed class Lease(string key, Generator generator) : IDisposable
    {
        bool _returned;
        public Generator Generator { get; } = generator;

        public void Dispose()
        {
            if (_returned) return;
            _returned = true;
            Return(key, Generator);
        }
    }
}
