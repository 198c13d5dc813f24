using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Atelier.Tests.Models;

/// <summary>
/// What the loopback server answers to one request. <see cref="DropAt"/>: close the connection once the body reaches
/// that byte; <see cref="StallAt"/>: stop sending there (until the client gives up); <see cref="NoAnswer"/>: read the
/// request and never answer; <see cref="ChunkDelayMs"/>: send slowly (4 kB at a time), so two clients overlap.
/// </summary>
sealed record Reply(int Status, byte[] Body, string ContentType = "application/octet-stream", bool HonourRange = true,
    long? DropAt = null, long? StallAt = null, bool NoAnswer = false, int ChunkDelayMs = 0)
{
    public static Reply File(byte[] body) => new(200, body);
    public static Reply Error(int status) => new(status, Encoding.UTF8.GetBytes($"error {status}"), "text/plain");
}

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 (a port the system picks) inside the test process, written on a raw socket so
/// it can misbehave on purpose: drop a connection halfway, stall, answer errors, serve the wrong bytes. It honours
/// "Range: bytes=N-" like the publishers' servers, and records every request (path and range start).
/// </summary>
sealed class LoopbackServer : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly ConcurrentDictionary<string, Func<int, Reply>> _routes = new();
    readonly ConcurrentDictionary<string, int> _counts = new();

    /// <summary>Every request in arrival order: path and the Range start it asked for (null: the whole file).</summary>
    public ConcurrentQueue<(string Path, long? RangeFrom)> Requests { get; } = new();

    public LoopbackServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    /// <summary>Set when a reply has stopped at its <see cref="Reply.StallAt"/> byte.</summary>
    public ManualResetEventSlim Stalled { get; } = new();

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Answers requests for <paramref name="path"/>: <paramref name="reply"/> gets the request's number (0, 1, ...) for that path.</summary>
    public void Route(string path, Func<int, Reply> reply) => _routes[path] = reply;

    public void Route(string path, Reply reply) => _routes[path] = _ => reply;

    public int CountFor(string path) => Requests.Count(r => r.Path == path);

    async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    async Task Handle(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var head = await ReadHead(stream);
            var lines = head.Split("\r\n");
            var path = lines[0].Split(' ')[1];
            long? from = null;
            foreach (var line in lines.Skip(1))
                if (line.StartsWith("Range: bytes=", StringComparison.OrdinalIgnoreCase))
                    from = long.Parse(line["Range: bytes=".Length..].TrimEnd('-').Split('-')[0]);
            Requests.Enqueue((path, from));
            int n = _counts.AddOrUpdate(path, 0, (_, c) => c + 1);
            var reply = _routes.TryGetValue(path, out var route) ? route(n) : Reply.Error(404);
            if (reply.NoAnswer) { await Task.Delay(Timeout.Infinite, _stop.Token); return; }
            var body = reply.Body;
            long start = reply.Status == 200 && reply.HonourRange && from is long f ? f : 0;
            if (start > 0 && start >= body.Length)
            {
                await Write(stream, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{body.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return;
            }
            var status = start > 0 ? "206 Partial Content" : $"{reply.Status} {(reply.Status == 200 ? "OK" : "Status")}";
            var headers = new StringBuilder($"HTTP/1.1 {status}\r\nContent-Type: {reply.ContentType}\r\nContent-Length: {body.Length - start}\r\nConnection: close\r\n");
            if (start > 0) headers.Append($"Content-Range: bytes {start}-{body.Length - 1}/{body.Length}\r\n");
            await Write(stream, headers.Append("\r\n").ToString());
            for (long at = start; at < body.Length;)
            {
                if (reply.DropAt is long drop && at >= drop) { client.Client.Close(0); return; }
                if (reply.StallAt is long stall && at >= stall) { Stalled.Set(); await Task.Delay(Timeout.Infinite, _stop.Token); return; }
                long end = Math.Min(body.Length, at + 4096);
                if (reply.DropAt is long d && at < d) end = Math.Min(end, d);
                if (reply.StallAt is long s && at < s) end = Math.Min(end, s);
                await stream.WriteAsync(body.AsMemory((int)at, (int)(end - at)), _stop.Token);
                await stream.FlushAsync(_stop.Token);
                at = end;
                if (reply.ChunkDelayMs > 0) await Task.Delay(reply.ChunkDelayMs, _stop.Token);
            }
        }
        catch (Exception) { } // the client went away, or the server stops
    }

    static async Task<string> ReadHead(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (!(bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0) throw new IOException("closed before the request ended");
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString(bytes.ToArray());
    }

    Task Write(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token).AsTask();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
