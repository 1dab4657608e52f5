using System.Net.Sockets;
using Polly.Timeout;
using Refit;

namespace DefenderSnow.Core.Upstream;

/// <summary>Tells a failure to reach an upstream service (no answer at all) from every other exception: one rule for every stack.</summary>
internal static class UpstreamTransportFailure
{
    /// <summary>
    /// No answer came: the connection failed or broke, an attempt or the whole call timed out (Polly), the
    /// HTTP stack gave up (a cancellation the caller did not ask for), or Refit reports the request failed.
    /// </summary>
    public static bool IsTransportFailure(Exception e) =>
        e is ApiRequestException
        || Unwrap(e) is HttpRequestException or TimeoutRejectedException or OperationCanceledException or IOException or SocketException;

    /// <summary>
    /// A transport failure worth another attempt. An address the connection policy refused stays refused
    /// (asking DNS again in a second changes nothing worth the wait), and a cancellation is no failure to retry.
    /// </summary>
    public static bool IsRetryable(Exception e) =>
        Unwrap(e) is (HttpRequestException or TimeoutRejectedException) and not HttpRequestException { InnerException: IRefusedConnection };

    /// <summary>Refit wraps transport failures in <see cref="ApiRequestException"/>; the cause is what matters.</summary>
    public static Exception Unwrap(Exception e) => e is ApiRequestException { InnerException: { } inner } ? inner : e;
}

/// <summary>Marks the exception of a connection the app's own policy refused (never retried).</summary>
internal interface IRefusedConnection;
