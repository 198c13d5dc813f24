using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Atelier.Runtime;

namespace Atelier.Models;

/// <summary>
/// Streams one address into a <c>.part</c> file: resumes with an HTTP Range request after a dropped connection,
/// gives a silent connection up after <see cref="FetchOptions.StallTimeout"/>, retries dropped connections, stalls and
/// server errors with a doubling wait, and does not retry what cannot succeed (an unreachable host, 404, a web page
/// where a file was expected). Checking the bytes is the caller's job (<see cref="ModelStore"/>).
/// </summary>
internal sealed class Downloader(FetchOptions options)
{
    /// <summary>Why a download failed: <see cref="Retry"/> when trying again may help; the message is one line.</summary>
    internal sealed class Failure(string message, bool retry, bool unreachable = false) : Exception(message)
    {
        public bool Retry { get; } = retry;
        public bool Unreachable { get; } = unreachable;
    }

    static readonly TimeSpan ReportEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>Downloads <paramref name="url"/> into <paramref name="part"/> (appending to what is there when the server allows).</summary>
    public void Download(Uri url, string part, string what, IProgress<ProgressReport>? progress, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout, AllowAutoRedirect = true, AutomaticDecompression = DecompressionMethods.None };
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Atelier", "1"));
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Attempt(http, url, part, what, progress, ct).GetAwaiter().GetResult();
                return;
            }
            catch (Failure f) when (f.Retry && attempt < options.Retries)
            {
                var delay = options.RetryDelay * Math.Pow(2, attempt);
                if (ct.WaitHandle.WaitOne(delay)) ct.ThrowIfCancellationRequested();
            }
        }
    }

    async Task Attempt(HttpClient http, Uri url, string part, string what, IProgress<ProgressReport>? progress, CancellationToken ct)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        HttpResponseMessage response;
        using (var answer = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            answer.CancelAfter(options.StallTimeout);
            try { response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, answer.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new Failure($"{url.Host} did not answer within {options.StallTimeout.TotalSeconds:0.#} s", retry: true);
            }
            catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
            {
                throw new Failure($"could not reach {url.Host} ({Reason(e)})", retry: false, unreachable: true);
            }
            catch (HttpRequestException e) { throw new Failure($"{url.Host}: {Reason(e)}", retry: true); }
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                // The .part may already be whole (a finished download never renamed); else start again.
                if (response.Content.Headers.ContentRange?.Length is long whole && whole == have) return;
                File.Delete(part);
                throw new Failure($"{url.Host} refused to resume at byte {have}; starting again", retry: true);
            }
            if (status is 404 or 410 or 403 or 401)
                throw new Failure($"{url.Host} answered {status} {response.ReasonPhrase} (the file is not there)", retry: false);
            if (status >= 500 || status == 429)
                throw new Failure($"{url.Host} answered {status} {response.ReasonPhrase}", retry: true);
            if (!response.IsSuccessStatusCode)
                throw new Failure($"{url.Host} answered {status} {response.ReasonPhrase}", retry: false);
            if (response.Content.Headers.ContentType?.MediaType is "text/html")
                throw new Failure($"{url.Host} answered with a web page, not the file (a viewer link, or a sign-in page)", retry: false);

            bool resumed = response.StatusCode == HttpStatusCode.PartialContent && have > 0
                && response.Content.Headers.ContentRange?.From == have;
            if (!resumed) have = 0;
            long? total = response.Content.Headers.ContentRange?.Length
                ?? (response.Content.Headers.ContentLength is long length ? have + length : null);

            using var file = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[1 << 16];
            var clock = Stopwatch.StartNew();
            long start = have;
            var lastReport = -ReportEvery;
            while (true)
            {
                int n;
                using (var stall = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    stall.CancelAfter(options.StallTimeout);
                    try { n = await body.ReadAsync(buffer, stall.Token); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        throw new Failure($"{url.Host} sent nothing for {options.StallTimeout.TotalSeconds:0.#} s at byte {have}", retry: true);
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException)
                    {
                        throw new Failure($"{url.Host} dropped the connection at byte {have} ({Reason(e)})", retry: true);
                    }
                }
                if (n == 0) break;
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
                have += n;
                if (clock.Elapsed - lastReport >= ReportEvery)
                {
                    lastReport = clock.Elapsed;
                    Report(progress, what, have, start, total, clock.Elapsed);
                }
            }
            Report(progress, what, have, start, total, clock.Elapsed);
            if (total is long expected && have < expected)
                throw new Failure($"{url.Host} ended the transfer at byte {have} of {expected}", retry: true);
        }
    }

    /// <summary>Size so far and in all (bytes), the rate since this connection began and the time left at that rate.</summary>
    internal static void Report(IProgress<ProgressReport>? progress, string what, long have, long start, long? total, TimeSpan elapsed)
    {
        if (progress is null) return;
        double rate = elapsed.TotalSeconds > 0 ? (have - start) / elapsed.TotalSeconds : 0;
        var metrics = new Dictionary<string, double> { ["MB"] = have / 1e6, ["MB/s"] = rate / 1e6 };
        if (total is long t && t > 0)
        {
            metrics["of MB"] = t / 1e6;
            if (rate > 0) metrics["ETA s"] = Math.Max(0, t - have) / rate;
        }
        progress.Report(new ProgressReport(have, total ?? 0, what, metrics));
    }

    static string Reason(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner.Message.TrimEnd('.');
    }
}
