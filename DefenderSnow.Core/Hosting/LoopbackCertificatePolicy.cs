using System.Net.Security;

namespace DefenderSnow.Core.Hosting;

/// <summary>
/// The one place that may relax TLS validation: for servers on a loopback address, and only when
/// <see cref="LocalDevelopmentOptions.TrustLoopbackCertificates"/> is on. Every other host keeps the
/// platform's full validation, whatever the setting says.
/// </summary>
public static class LoopbackCertificatePolicy
{
    /// <summary>
    /// How long a pooled connection is reused. Upstream clients live as long as the process, so without a
    /// limit they would keep their first connections (and the addresses DNS gave then) for ever.
    /// </summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The primary handler of every upstream HTTP client: connections rotate, and TLS follows this policy.</summary>
    public static SocketsHttpHandler CreateHandler(bool trustLoopbackCertificates)
    {
        // Redirects are never followed: an upstream (or whoever answers in its name) must not be able to
        // point the app, with its credentials, at another host.
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = PooledConnectionLifetime, AllowAutoRedirect = false };
        if (trustLoopbackCertificates)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (sender, _, _, errors) =>
                IsAcceptable((sender as SslStream)?.TargetHostName, errors, trustLoopbackCertificates);
        }

        return handler;
    }

    /// <summary>Whether a certificate with <paramref name="errors"/> presented by <paramref name="requestUri"/> is acceptable.</summary>
    public static bool IsAcceptable(Uri? requestUri, SslPolicyErrors errors, bool trustLoopbackCertificates) =>
        IsAcceptable(requestUri?.IdnHost, errors, trustLoopbackCertificates);

    /// <summary>The same decision by host name, for handlers that see the TLS target rather than the request.</summary>
    public static bool IsAcceptable(string? host, SslPolicyErrors errors, bool trustLoopbackCertificates) =>
        errors == SslPolicyErrors.None || (trustLoopbackCertificates && host is not null && LoopbackAddress.IsLoopbackHost(host));
}
