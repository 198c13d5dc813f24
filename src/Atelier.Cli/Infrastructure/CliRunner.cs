using System.CommandLine;
using Atelier.Inference;
using Atelier.Runtime;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// Wraps every command action: applies the global options, maps failures to exit codes (0 success,
/// 1 failure, 2 usage error, 128 + N when signal N stopped the run) and one-line messages.
/// </summary>
public static class CliRunner
{
    public const int Success = 0, Failure = 1, Usage = 2;

    /// <summary>The largest --threads accepted: four per core.</summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>
    /// Sets the action of <paramref name="command"/> to <paramref name="action"/>, wrapped. A command that never
    /// touches libtorch says so with <paramref name="usesTorch"/> false: it then starts without loading it (a
    /// few hundred milliseconds of native loading, more than a small texture synthesis takes).
    /// </summary>
    public static void SetAction(Command command, Func<CliContext, CancellationToken, int> action, bool usesTorch = true) =>
        command.SetAction((parse, ct) => Task.FromResult(Execute(parse, ct, action, usesTorch)));

    internal static int Execute(ParseResult parse, CancellationToken ct, Func<CliContext, CancellationToken, int> action, bool usesTorch = true)
    {
        var (stdout, stderr) = Program.Writers;
        var ctx = new CliContext(parse, stdout, stderr);
        try
        {
            if (ctx.Threads < 0) throw new AtelierUsageException($"--threads {ctx.Threads}: must be 0 or more");
            // More threads than cores only adds contention; thousands (once accepted) stalled the machine.
            if (ctx.Threads > MaxThreads) throw new AtelierUsageException($"--threads {ctx.Threads}: at most {MaxThreads} on this machine (4 per core; 0 = libtorch's default)");
            if (!usesTorch) return action(ctx, ct);
            TorchRuntime.SetThreads(ctx.Threads);
            TorchRuntime.DisableNnpack();
            NativeAllocator.ConfigureFromEnvironment(); // freed tensors are reused: fresh pages cost more than the convolutions
            if (ctx.DeviceSpec != "auto") _ = ctx.Device; // an impossible --device fails before any work
            if (ctx.Seed is long seed) TorchRuntime.Seed(seed);
            // With collections held off, so TorchSharp's temporary Scalars outlive the native calls (ScalarSafety).
            return ScalarSafety.Run(() => action(ctx, ct));
        }
        catch (OperationCanceledException)
        {
            // A signal's stop exits 128 + its number (StopSignals); a caller's own cancellation is a failure.
            return Fail(ctx, "cancelled; no partial output was written", StopSignals.Received != 0 ? StopSignals.ExitCode : Failure, "cancelled");
        }
        catch (AtelierUsageException e)
        {
            // The library names parameters in its terms; the CLI says which flag to change.
            return Fail(ctx, "error: " + e.Render(ctx.FlagFor), Usage, "usage");
        }
        catch (AtelierException e)
        {
            return Fail(ctx, "error: " + e.Render(ctx.FlagFor), Failure, "failure");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(ctx, "error: " + e.Message, Failure, "failure");
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("ATELIER_DEBUG") != "1")
        {
            return Fail(ctx, $"error: {e.GetType().Name}: {e.Message} (set ATELIER_DEBUG=1 for details)", Failure, "internal");
        }
    }

    /// <summary>
    /// The one line on stderr; with --json also one object on stdout ({"error", "kind", "exitCode"}), so a machine
    /// caller that reads stdout learns what went wrong rather than finding nothing.
    /// </summary>
    static int Fail(CliContext ctx, string line, int exitCode, string kind)
    {
        ctx.Err.WriteLine(line);
        if (ctx.Json) WriteJsonError(ctx.Out, line, kind, exitCode);
        return exitCode;
    }

    /// <summary>{"error": message, "kind": usage|failure|cancelled|internal, "exitCode": n} on one line.</summary>
    public static void WriteJsonError(TextWriter stdout, string line, string kind, int exitCode)
    {
        var message = line.StartsWith("error: ", StringComparison.Ordinal) ? line["error: ".Length..] : line;
        stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { error = message, kind, exitCode }));
    }
}
