using Microsoft.AspNetCore.Http;

namespace Atelier.Studio.Hosting;

/// <summary>
/// Keeps other web sites out of the studio. Why: any page a user visits could otherwise post jobs to
/// http://127.0.0.1:5000 (browsers send cross-origin form posts without asking), and a DNS-rebinding page could read
/// the API through a host name of its own that resolves to 127.0.0.1.
/// - A request that changes state (anything but GET and HEAD) and carries an Origin whose host and port differ from
///   the request's Host is refused (403). Browsers always send Origin on such requests; scripts and curl do not, and pass.
/// - A studio bound to loopback addresses only answers to loopback host names (localhost, 127.0.0.1, [::1]); any other
///   Host is refused (421). A studio the operator bound to other addresses answers to any host.
/// </summary>
public static class RequestGuard
{
    public static Func<HttpContext, Func<Task>, Task> Middleware(StudioOptions options)
    {
        bool loopbackOnly = options.IsLoopbackOnly();
        return async (http, next) =>
        {
            var refusal = Check(http.Request, loopbackOnly);
            if (refusal is { } r)
            {
                await StudioApi.WriteErrorAsync(http, r.Status, r.Message).ConfigureAwait(false);
                return;
            }
            await next().ConfigureAwait(false);
        };
    }

    /// <summary>Largest request line (method, path, query) answered; longer gets 414 with a JSON error.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>Largest total of request headers answered; more gets 431 with a JSON error.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Null when the request may proceed, else the status and message to answer with.</summary>
    public static (int Status, string Message)? Check(HttpRequest request, bool loopbackOnly)
    {
        if (request.Method.Length + request.Path.Value?.Length + request.QueryString.Value?.Length > MaxRequestLineBytes)
            return (414, $"the address is longer than {MaxRequestLineBytes} bytes");
        long headerBytes = 0;
        foreach (var (name, values) in request.Headers) headerBytes += name.Length + values.ToString().Length + 4;
        if (headerBytes > MaxHeaderBytes) return (431, $"the request headers total more than {MaxHeaderBytes} bytes");
        var host = request.Host;
        if (loopbackOnly && !IsLoopbackName(host.Host))
            return (421, $"this studio answers only to localhost addresses, not '{Trim(host.Host)}'");
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) return null;
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin)) return null;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var o) || !SameAuthority(o, host))
            return (403, $"requests from another site ({Trim(origin)}) are refused; open the studio's own page");
        return null;
    }

    static bool SameAuthority(Uri origin, HostString host)
    {
        if (!string.Equals(origin.Host, host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)) return false;
        int hostPort = host.Port ?? (origin.Scheme == "https" ? 443 : 80);
        return origin.Port == hostPort;
    }

    static bool IsLoopbackName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host == "127.0.0.1" || host == "[::1]" || host == "::1"
        || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    static string Trim(string s) => s.Length <= 60 ? s : s[..60] + "...";
}
