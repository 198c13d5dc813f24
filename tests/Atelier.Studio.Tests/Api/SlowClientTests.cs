using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Atelier.Studio.Tests.Api;

/// <summary>Clients that trickle their uploads hold only the upload slots: the page and the API's reads still answer.</summary>
public class SlowClientTests
{
    [Fact]
    public async Task Trickling_uploads_do_not_lock_out_the_page_or_health()
    {
        await using var s = await StudioHarness.StartAsync(o => { o.MaxConcurrentRequests = 4; o.MaxQueuedRequests = 4; }, Atelier.Studio.Methods.MethodSet.All());
        var clients = new List<TcpClient>();
        try
        {
            // More slow uploads than there are slots and queue places: each sends its headers, then a few bytes now and then.
            for (int i = 0; i < 10; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(s.BaseAddress.Host, s.BaseAddress.Port);
                var head = $"POST /api/jobs/texture.quilting HTTP/1.1\r\nHost: {s.BaseAddress.Authority}\r\n" +
                           "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n--x\r\n";
                await c.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
                clients.Add(c);
            }
            for (int round = 0; round < 3; round++)
            {
                foreach (var c in clients) await c.GetStream().WriteAsync("a"u8.ToArray());
                var clock = Stopwatch.StartNew();
                using var health = await s.Http.GetAsync("/api/health");
                using var page = await s.Http.GetAsync("/");
                Assert.True(health.IsSuccessStatusCode && page.IsSuccessStatusCode, $"{health.StatusCode} {page.StatusCode}");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"reads took {clock.Elapsed.TotalSeconds:0.0} s behind the slow uploads");
                await Task.Delay(300);
            }
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }
}
