namespace Atelier.Models;

/// <summary>
/// A lock file two processes (or two threads) agree on before touching the same download: an exclusive open, which
/// .NET backs with flock(2) on Unix, so the lock goes away with its holder even when that is killed. The file itself
/// stays (deleting it would let a waiter and a newcomer lock two different files).
/// </summary>
public sealed class FileLock : IDisposable
{
    readonly FileStream _stream;
    FileLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, waiting up to <paramref name="wait"/>; <paramref name="onWaiting"/> is told once when it must wait.</summary>
    public static FileLock Acquire(string path, TimeSpan wait, CancellationToken ct = default, Action? onWaiting = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var deadline = DateTime.UtcNow + wait;
        bool told = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try { return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)); }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (!told) { onWaiting?.Invoke(); told = true; }
                ct.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
            }
            catch (IOException)
            {
                throw new AtelierException($"{path}: still locked by another process after {wait.TotalMinutes:0} minutes; if none is fetching, delete this file");
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
