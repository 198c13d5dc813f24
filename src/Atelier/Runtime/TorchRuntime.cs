using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Runtime;

/// <summary>Device selection, threads, seeding and a description of the native runtime.</summary>
public static class TorchRuntime
{
    /// <summary>Parses "auto", "cpu", "cuda" or "cuda:N". auto picks CUDA when available.</summary>
    public static Device ParseDevice(string? spec)
    {
        var s = (spec ?? "auto").Trim().ToLowerInvariant();
        if (s is "" or "auto") return cuda.is_available() ? CUDA : CPU;
        if (s == "cpu") return CPU;
        if (s == "cuda" || s.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new AtelierUsageException($"{{Device}} {spec}: CUDA is not available (this build uses TorchSharp-cpu; build with -p:AtelierTorch=cuda on a machine with a CUDA-enabled TorchSharp)");
            if (s == "cuda") return CUDA;
            if (!int.TryParse(s.AsSpan(5), out var index) || index < 0 || index >= cuda.device_count())
                throw new AtelierUsageException($"{{Device}} {spec}: no such CUDA device (found {cuda.device_count()})");
            return new Device(DeviceType.CUDA, index);
        }
        throw new AtelierUsageException($"{{Device}} {spec}: expected auto, cpu, cuda or cuda:N");
    }

    /// <summary>Sets the intra-op thread count (0 or less leaves libtorch's default).</summary>
    public static void SetThreads(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
    }

    /// <summary>
    /// Turns off libtorch's NNPACK backend (Python's <c>torch.backends.nnpack.set_flags(False)</c>). On CPUs NNPACK does
    /// not support it prints "Could not initialize NNPACK! Reason: Unsupported hardware" on convolution calls and
    /// then falls back anyway; TorchSharp has no binding, so this calls libtorch's exported
    /// <c>at::Context::setUserEnabledNNPACK</c> directly. Returns false if that symbol is not there (another libtorch).
    /// </summary>
    public static bool DisableNnpack()
    {
        try
        {
            _ = torch.get_num_threads(); // make sure TorchSharp has loaded libtorch
            NativeContext.SetUserEnabledNnpack(NativeContext.GlobalContext(), false);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    static class NativeContext
    {
        // Itanium C++ ABI names of at::globalContext() and at::Context::setUserEnabledNNPACK(bool) in libtorch 2.x.
        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
        public static extern IntPtr GlobalContext();

        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
        public static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    }

    /// <summary>Seeds libtorch's generators; non-torch code takes its own <see cref="Random"/> from the same seed.</summary>
    public static void Seed(long seed)
    {
        torch.manual_seed(seed);
        if (cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }

    /// <summary>True when the loaded libLibTorchSharp.so carries Atelier's GLIBCXX compatibility patch.</summary>
    public static bool? CompatPatchInEffect()
    {
        var path = Path.Combine(AppContext.BaseDirectory, LibStdCxxCompat.LibraryName);
        if (!File.Exists(path)) return null;
        try { return LibStdCxxCompat.IsRequirementWeak(File.ReadAllBytes(path)); }
        catch (InvalidDataException) { return null; }
    }

    public static RuntimeInfo Describe()
    {
        var devices = new List<string> { "cpu" };
        if (cuda.is_available())
            for (int i = 0; i < cuda.device_count(); i++) devices.Add($"cuda:{i}");
        return new RuntimeInfo(
            AtelierVersion: typeof(TorchRuntime).Assembly.GetName().Version?.ToString() ?? "0",
            LibTorchVersion: torch.__version__,
            Threads: torch.get_num_threads(),
            InteropThreads: torch.get_num_interop_threads(),
            Devices: devices,
            CudaAvailable: cuda.is_available(),
            CompatPatch: CompatPatchInEffect(),
            SystemLibStdCxx: LibStdCxxCompat.FindSystemLibStdCxx());
    }
}

public sealed record RuntimeInfo(string AtelierVersion, string LibTorchVersion, int Threads, int InteropThreads,
    IReadOnlyList<string> Devices, bool CudaAvailable, bool? CompatPatch, string? SystemLibStdCxx);
