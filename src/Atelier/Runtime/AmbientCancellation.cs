namespace Atelier.Runtime;

/// <summary>
/// A cancellation token that deep code can check without every signature carrying one: a network's forward pass
/// checks it between layers, so a stop request during one large tile ends within a layer rather than after the
/// whole pass (a 3000x2000 fast-style tile took 9 s). Set by the caller that owns the token, for its thread.
/// </summary>
public static class AmbientCancellation
{
    [ThreadStatic] static CancellationToken _current;

    /// <summary>Makes <paramref name="ct"/> the ambient token of this thread until the returned scope is disposed.</summary>
    public static IDisposable Use(CancellationToken ct)
    {
        var previous = _current;
        _current = ct;
        return new Scope(previous);
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> when this thread's ambient token is cancelled.</summary>
    public static void ThrowIfRequested() => _current.ThrowIfCancellationRequested();

    public static bool IsRequested => _current.IsCancellationRequested;

    /// <summary>This thread's ambient token, for work that cannot be checked between layers (one ONNX Runtime call).</summary>
    public static CancellationToken Token => _current;

    sealed class Scope(CancellationToken previous) : IDisposable
    {
        bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _current = previous;
        }
    }
}
