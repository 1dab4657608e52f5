using System.Net;
using System.Text.Json;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Upstream;
using Microsoft.Extensions.Logging;
using Polly.Timeout;
using Refit;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Turns Resource Manager's answers into content or typed errors, in one place for every call of
/// <see cref="DefenderClient"/>: a transport failure or an error that outlasted the pipeline's retries becomes
/// <see cref="ResourceManagerUnreachableException"/>, a refusal <see cref="ResourceManagerException"/> with its code.
/// </summary>
internal sealed partial class ResourceManagerResponses
{
    private static readonly JsonSerializerOptions ErrorJson = new(JsonSerializerDefaults.Web);
    private readonly ILogger _logger;

    public ResourceManagerResponses(ILogger logger)
    {
        _logger = logger;
    }

    /// <returns>The body, or <c>null</c> for a 404 when <paramref name="notFoundIsNull"/>.</returns>
    public async Task<T?> SendAsync<T>(string operation, Func<Task<IApiResponse<T>>> send, bool notFoundIsNull, CancellationToken cancellationToken)
        where T : class
    {
        IApiResponse<T> response;
        try
        {
            response = await send().ConfigureAwait(false);
        }
        catch (Exception e) when (UpstreamTransportFailure.IsTransportFailure(e))
        {
            throw Unreachable(operation, e, cancellationToken);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode && response.Error is null)
            {
                return response.Content ?? throw Unusable(operation, "an empty body");
            }

            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            throw ToException(operation, response, cancellationToken);
        }
    }

    /// <summary>A call answered without a body (a delete); a 404 counts as done when <paramref name="notFoundIsDone"/>.</summary>
    public async Task SendAsync(string operation, Func<Task<IApiResponse>> send, bool notFoundIsDone, CancellationToken cancellationToken)
    {
        IApiResponse response;
        try
        {
            response = await send().ConfigureAwait(false);
        }
        catch (Exception e) when (UpstreamTransportFailure.IsTransportFailure(e))
        {
            throw Unreachable(operation, e, cancellationToken);
        }

        using (response)
        {
            if ((response.IsSuccessStatusCode && response.Error is null) || (notFoundIsDone && response.StatusCode == HttpStatusCode.NotFound))
            {
                return;
            }

            throw ToException(operation, response, cancellationToken);
        }
    }

    /// <summary>Resource Manager answered, but with something DefenderSnow cannot use (logged once, here).</summary>
    public ResourceManagerUnreachableException Unusable(string operation, string what, Exception? inner = null)
    {
        LogUnusable(_logger, inner, operation, what);
        return new ResourceManagerUnreachableException($"Resource Manager returned {what} ({operation}).", inner);
    }

    /// <summary>A <c>nextLink</c> that was not followed (logged with the origin it pointed at, never its query).</summary>
    public ResourceManagerLinkRefusedException LinkRefused(string operation, string? refusedOrigin)
    {
        LogLinkRefused(_logger, operation, refusedOrigin ?? "(not an absolute URL)");
        return new ResourceManagerLinkRefusedException(operation, refusedOrigin);
    }

    private Exception ToException(string operation, IApiResponse response, CancellationToken cancellationToken)
    {
        if (response.Error is ApiRequestException requestError)
        {
            return Unreachable(operation, requestError, cancellationToken);
        }

        if (response.IsSuccessStatusCode)
        {
            return Unusable(operation, "a body that could not be read", response.Error);
        }

        var status = response.StatusCode is { } statusCode ? (int)statusCode : 0;
        var (code, message) = ReadError((response.Error as ApiException)?.Content);
        code ??= response.StatusCode?.ToString() ?? "Unknown";
        message ??= $"Resource Manager answered {status} {response.ReasonPhrase}.";
        if (status is 408 or 429 or >= 500)
        {
            // The pipeline retried these already; what is left is an outage or throttling that outlasted the retries.
            LogKeptFailing(_logger, operation, status, code);
            return new ResourceManagerUnreachableException($"Resource Manager kept failing ({status} {code}): {message}", response.Error);
        }

        LogRefused(_logger, operation, status, code, message);
        return new ResourceManagerException(status, code, ResourceManagerRefusal.Describe(status, code, message, operation), response.Error);
    }

    private static (string? Code, string? Message) ReadError(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return (null, null);
        }

        try
        {
            var error = JsonSerializer.Deserialize<ArmErrorResponse>(content, ErrorJson)?.Error;
            return (NullIfEmpty(error?.Code), NullIfEmpty(error?.Message));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private Exception Unreachable(string operation, Exception e, CancellationToken cancellationToken)
    {
        // A failure inside the pipeline (no token) already has its own type; Refit only wrapped it.
        var cause = e is ApiRequestException { InnerException: { } inner } ? inner : e;
        if (cause is DomainException domain)
        {
            return domain;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The caller cancelled the Resource Manager call.", e, cancellationToken);
        }

        LogUnreachable(_logger, cause, operation);
        var what = cause is TimeoutRejectedException or OperationCanceledException ? "did not answer in time" : "could not be reached";
        return new ResourceManagerUnreachableException($"Resource Manager {what} ({operation}).", e);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource Manager {Operation} kept failing with {StatusCode} {ErrorCode}")]
    private static partial void LogKeptFailing(ILogger logger, string operation, int statusCode, string errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource Manager {Operation} was refused with {StatusCode} {ErrorCode}: {ErrorMessage}")]
    private static partial void LogRefused(ILogger logger, string operation, int statusCode, string errorCode, string errorMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource Manager {Operation} could not be reached")]
    private static partial void LogUnreachable(ILogger logger, Exception exception, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource Manager {Operation} returned a nextLink to {RefusedOrigin}, which is not the configured endpoint; it was not followed")]
    private static partial void LogLinkRefused(ILogger logger, string operation, string refusedOrigin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource Manager {Operation} returned {Problem}")]
    private static partial void LogUnusable(ILogger logger, Exception? exception, string operation, string problem);
}
