using System.CommandLine;
using System.Text;
using Atelier.Cli.Infrastructure;
using Atelier.Runtime;

namespace Atelier.Cli.Commands;

/// <summary>`atelier info`: what runtime Atelier found (libtorch, threads, devices, compatibility patch).</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Show the libtorch version, threads, devices and whether the libstdc++ compatibility patch is in effect");
        CliRunner.SetAction(cmd, (ctx, _) =>
        {
            var info = TorchRuntime.Describe();
            var sb = new StringBuilder();
            sb.AppendLine($"Atelier {info.AtelierVersion}");
            sb.AppendLine($"libtorch        {info.LibTorchVersion}");
            sb.AppendLine($"threads         {info.Threads} intra-op, {info.InteropThreads} inter-op");
            sb.AppendLine($"devices         {string.Join(", ", info.Devices)}");
            sb.AppendLine($"CUDA            {(info.CudaAvailable ? "available" : "not available")}");
            sb.Append($"compat patch    {info.CompatPatch switch
            {
                true => $"in effect (GLIBCXX_3.4.32 marked weak; system libstdc++ {info.SystemLibStdCxx})",
                false => "not needed (library as shipped)",
                null => "n/a (libLibTorchSharp.so not found beside the program)",
            }}");
            ctx.Result(info, sb.ToString());
            return CliRunner.Success;
        });
        return cmd;
    }
}
