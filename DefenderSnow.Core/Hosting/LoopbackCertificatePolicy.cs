using System.Net.Security;

namespace DefenderSnow.Core.Hosting;

/// <summary>
/// The one place that may relax TLS validation: for servers on a loopback address, and only when
/// <see cref="LocalDevelopmentOptions.TrustLoopbackCertificates"/> is on. Every other host keeps the
/// platform's full validation, whatever the setting says.
/// </summary>
public static class LoopbackCertificatePolicy
{
    /// <summary>A handler for clients that may talk to the local simulators.</summary>
    public static HttpMessageHandler CreateHandler(bool trustLoopbackCertificates)
    {
        var handler = new HttpClientHandler();
        if (trustLoopbackCertificates)
        {
            handler.ServerCertificateCustomValidationCallback = (request, _, _, errors) =>
                IsAcceptable(request.RequestUri, errors, trustLoopbackCertificates);
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
