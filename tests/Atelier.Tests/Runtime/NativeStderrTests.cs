using System.Runtime.InteropServices;
using Atelier.Runtime;
using Xunit;

namespace Atelier.Tests.Runtime;

/// <summary>Native writes to stderr inside <see cref="NativeStderr.Silenced"/> go nowhere; stderr is restored after.</summary>
public class NativeStderrTests
{
    [Fact]
    public void NativeWritesAreDroppedOnlyInsideTheCall()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("stderr.txt");
        // Point this process's stderr at a file for the test, then restore it.
        int original = Dup(2);
        int file = Open(path, 0x41 /* O_WRONLY | O_CREAT */, 0x1a4 /* 0644 */);
        Assert.True(original >= 0 && file >= 0);
        Dup2(file, 2);
        Close(file);
        try
        {
            Write(2, "before\n"u8.ToArray(), 7);
            int result = NativeStderr.Silenced(() => { Write(2, "inside\n"u8.ToArray(), 7); return 42; });
            Write(2, "after\n"u8.ToArray(), 6);
            Assert.Equal(42, result);
        }
        finally
        {
            Dup2(original, 2);
            Close(original);
        }
        Assert.Equal("before\nafter\n", File.ReadAllText(path));
    }

    [DllImport("libc", EntryPoint = "dup")] static extern int Dup(int fd);
    [DllImport("libc", EntryPoint = "dup2")] static extern int Dup2(int oldFd, int newFd);
    [DllImport("libc", EntryPoint = "close")] static extern int Close(int fd);
    [DllImport("libc", EntryPoint = "open")] static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
    [DllImport("libc", EntryPoint = "write")] static extern nint Write(int fd, byte[] buffer, nint count);
}
