using System.Runtime.InteropServices;

namespace Atelier.Runtime;

/// <summary>
/// Runs native code with the process's stderr (file descriptor 2) pointed at /dev/null. Why: libtorch 2.10 prints
/// "Warning: Optimizer::parameters() will be removed in PyTorch 1.6" straight to stderr for every L-BFGS optimiser
/// TorchSharp creates (three lines per Gatys run with three scales); it is noise to users, and neither
/// TORCH_CPP_LOG_LEVEL nor a warning filter reaches it. Only the optimiser's creation is wrapped, on Linux and
/// macOS; managed writers are flushed first so nothing of ours is lost.
/// </summary>
public static partial class NativeStderr
{
    static readonly Lock Gate = new();

    public static T Silenced<T>(Func<T> run)
    {
        if (OperatingSystem.IsWindows()) return run();
        lock (Gate)
        {
            Console.Error.Flush();
            int saved = Dup(2);
            int devNull = saved < 0 ? -1 : Open("/dev/null", 1 /* O_WRONLY */);
            if (devNull < 0)
            {
                if (saved >= 0) Close(saved);
                return run();
            }
            Dup2(devNull, 2);
            Close(devNull);
            try { return run(); }
            finally
            {
                Dup2(saved, 2);
                Close(saved);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "dup")] private static partial int Dup(int fd);
    [LibraryImport("libc", EntryPoint = "dup2")] private static partial int Dup2(int oldFd, int newFd);
    [LibraryImport("libc", EntryPoint = "close")] private static partial int Close(int fd);
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)] private static partial int Open(string path, int flags);
}
