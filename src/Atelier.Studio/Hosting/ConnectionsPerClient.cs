using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Atelier.Studio.Hosting;

/// <summary>
/// A bound on the connections one client address holds open at once. Kestrel's own limit is global, so 40 slow
/// connections from one client could take every slot; with this, the excess connections of that client are closed on
/// arrival and everyone else is still served.
/// </summary>
public sealed class ConnectionsPerClient(int limit)
{
    readonly ConcurrentDictionary<IPAddress, int> _open = new();

    public int Limit { get; } = limit;

    /// <summary>Connections open now from <paramref name="address"/>.</summary>
    public int OpenFrom(IPAddress address) => _open.TryGetValue(address, out var n) ? n : 0;

    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        if (connection.RemoteEndPoint is not IPEndPoint { Address: var address })
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        if (_open.AddOrUpdate(address, 1, (_, n) => n + 1) > Limit)
        {
            Release(address);
            connection.Abort(new ConnectionAbortedException($"more than {Limit} connections from {address}"));
            return;
        }
        try { await next(connection).ConfigureAwait(false); }
        finally { Release(address); }
    };

    void Release(IPAddress address)
    {
        // Remove the entry at zero so the table does not grow with every address ever seen.
        while (true)
        {
            if (!_open.TryGetValue(address, out var n)) return;
            if (n <= 1) { if (_open.TryRemove(KeyValuePair.Create(address, n))) return; }
            else if (_open.TryUpdate(address, n - 1, n)) return;
        }
    }
}
