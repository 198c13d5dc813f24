using System.CommandLine;
using Atelier.Inference;
using Atelier.Runtime;

namespace Atelier.Cli.Cli;

/// <summary>
/// Wraps every command action: applies the global options, maps failures to exit codes (0 success,
/// 1 failure, 2 usage error) and one-line messages, and turns Ctrl+C into cancellation.
/// </summary>
public static class CliRunner
{
    public const int Success = 0, Failure = 1, Usage = 2;

    /// <summary>Sets the action of <paramref name="command"/> to <paramref name="action"/>, wrapped.</summary>
    public static void SetAction(Command command, Func<CliContext, CancellationToken, int> action) =>
        command.SetAction((parse, ct) => Task.FromResult(Execute(parse, ct, action)));

    internal static int Execute(ParseResult parse, CancellationToken ct, Func<CliContext, CancellationToken, int> action)
    {
        var (stdout, stderr) = Program.Writers;
        var ctx = new CliContext(parse, stdout, stderr);
        try
        {
            if (ctx.Threads < 0) throw new AtelierUsageException($"--threads {ctx.Threads}: must be 0 or more");
            TorchRuntime.SetThreads(ctx.Threads);
            TorchRuntime.DisableNnpack();
            NativeAllocator.ConfigureFromEnvironment(); // freed tensors are reused: fresh pages cost more than the convolutions
            if (ctx.DeviceSpec != "auto") _ = ctx.Device; // an impossible --device fails before any work
            if (ctx.Seed is long seed) TorchRuntime.Seed(seed);
            return action(ctx, ct);
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("cancelled; no partial output was written");
            return Failure;
        }
        catch (AtelierUsageException e)
        {
            // The library names parameters in its terms; the CLI says which flag to change.
            stderr.WriteLine("error: " + e.Render(ctx.FlagFor));
            return Usage;
        }
        catch (AtelierException e)
        {
            stderr.WriteLine("error: " + e.Render(ctx.FlagFor));
            return Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("error: " + e.Message);
            return Failure;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("ATELIER_DEBUG") != "1")
        {
            stderr.WriteLine($"error: {e.GetType().Name}: {e.Message} (set ATELIER_DEBUG=1 for details)");
            return Failure;
        }
    }
}
