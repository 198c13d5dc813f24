using System.Runtime.InteropServices;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM (docker stop, systemd, kubernetes, `timeout`) and SIGHUP (a closed terminal) all stop work
/// the same way: the run's cancellation token fires, a training run saves its checkpoint, no partial output is left,
/// the studio shuts down. A second signal ends the process at once. A run stopped this way exits 128 + the signal's
/// number (130, 143, 129), the shell's convention, so scripts can tell a stop from a failure.
/// </summary>
public sealed class StopSignals : IDisposable
{
    readonly CancellationTokenSource _cts = new();
    readonly List<PosixSignalRegistration> _registrations = [];
    static int _received;

    /// <summary>The number of the signal that asked the process to stop (2, 15 or 1), or 0 when none did.</summary>
    public static int Received => Volatile.Read(ref _received);

    /// <summary>The exit code of a run a signal stopped: 128 + its number (130 for Ctrl+C when none is recorded).</summary>
    public static int ExitCode => 128 + (Received == 0 ? 2 : Received);

    public CancellationToken Token => _cts.Token;

    public StopSignals(TextWriter stderr)
    {
        Console.CancelKeyPress += (_, e) =>
        {
            if (_cts.IsCancellationRequested) return; // a second Ctrl+C kills the process
            e.Cancel = true;
            Stop(2, "stopping (Ctrl+C again to abort)...", stderr);
        };
        Register(PosixSignal.SIGTERM, 15, "stopping (SIGTERM)...", stderr);
        Register(PosixSignal.SIGHUP, 1, "stopping (SIGHUP)...", stderr);
    }

    void Register(PosixSignal signal, int number, string message, TextWriter stderr)
    {
        try
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                if (_cts.IsCancellationRequested) return; // the second one ends the process
                context.Cancel = true;
                Stop(number, message, stderr);
            }));
        }
        catch (PlatformNotSupportedException) { } // SIGHUP has no meaning on Windows
    }

    void Stop(int number, string message, TextWriter stderr)
    {
        Interlocked.CompareExchange(ref _received, number, 0);
        stderr.WriteLine(message);
        _cts.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
