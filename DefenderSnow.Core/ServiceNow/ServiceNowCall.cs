using System.Net;
using System.Security.Authentication;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Upstream;
using Polly.Timeout;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>Turns transport failures and ServiceNow's error answers into the domain's error types.</summary>
internal static class ServiceNowCall
{
    private const int MaxReasonLength = 400;

    /// <summary>Runs <paramref name="send"/>; a transport failure or timeout becomes <see cref="ServiceNowUnreachableException"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send, string action, CancellationToken cancellationToken)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && Unwrap(e) is OperationCanceledException)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            throw new ServiceNowUnreachableException($"ServiceNow did not answer {action}: {Describe(Unwrap(e))}.", e);
        }
    }

    public static bool IsTransportFailure(Exception e) => UpstreamTransportFailure.IsTransportFailure(e);

    private static Exception Unwrap(Exception e) => UpstreamTransportFailure.Unwrap(e);

    /// <summary>The exception for an unsuccessful answer: 429 and 5xx (left after retries) are "unreachable", the rest "rejected".</summary>
    public static async Task<Exception> ToExceptionAsync(HttpResponseMessage response, string action, string? table, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var reason = await ReadReasonAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500)
        {
            return new ServiceNowUnreachableException($"ServiceNow kept failing {action}: HTTP {status} {reason}".TrimEnd() + ".");
        }

        return new ServiceNowRejectedException($"ServiceNow refused {action}: {reason}", status, code: null, table: table);
    }

    /// <summary>ServiceNow's reason from an error body (<c>error.message</c> and <c>error.detail</c>, or OAuth's <c>error_description</c>).</summary>
    public static async Task<string> ReadReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            body = string.Empty;
        }

        // A business rule's abort message is written by instance admins and may hold line breaks: escaped here, so the
        // reason is one line wherever it goes (a problem detail, a run's errors, the integration's status, a log line).
        var reason = ServiceNowJson.ReadReason(body) ?? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        reason = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] + "…" : reason;
        return ControlCharacters.Escape(reason);
    }

    private static string Describe(Exception e) => e switch
    {
        HttpRequestException { InnerException: AuthenticationException } => "the TLS handshake failed (the certificate is not trusted)",
        HttpRequestException { InnerException: ServiceNowAddressRefusedException refused } => refused.Message,
        HttpRequestException http => $"the connection failed ({http.HttpRequestError})",
        TimeoutRejectedException or OperationCanceledException => "the request timed out",
        _ => "the connection failed",
    };
}
