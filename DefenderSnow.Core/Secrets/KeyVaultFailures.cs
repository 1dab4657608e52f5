using System.Text.Json;
using Azure;
using Azure.Identity;
using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Secrets;

/// <summary>
/// Turns what the Key Vault client throws into Core's typed errors. Their messages reach API callers, so
/// they carry the status and error code only: Key Vault's own reason names the vault's secrets, and the
/// SDK's message lists headers. The stores log Key Vault's reason (<see cref="ServiceMessage"/>) instead.
/// </summary>
internal static class KeyVaultFailures
{
    /// <summary>The typed error for <paramref name="exception"/>, or <c>null</c> when it is not a Key Vault failure.</summary>
    public static DomainException? Map(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        // After its last retry the SDK throws every attempt's failure together; the last one says how it ended.
        AggregateException { InnerExceptions.Count: > 0 } e => Map(e.InnerExceptions[^1], cancellationToken),
        RequestFailedException { Status: 0 } e => new KeyVaultUnreachableException("Key Vault could not be reached.", e),
        RequestFailedException { Status: 408 or 429 or >= 500 } e => new KeyVaultUnreachableException(
            $"Key Vault kept answering {e.Status} ({e.ErrorCode ?? "no code"}) after retries.", e),
        RequestFailedException e => new KeyVaultRejectedException(
            $"Key Vault refused the request ({e.Status} {e.ErrorCode ?? "no code"}); the log has its reason.", e.Status, e.ErrorCode, e),
        // The app's own identity got no token: the app cannot reach Key Vault (502), not a refusal of anything the caller
        // sent; the same as Resource Manager (ResourceManagerTokenCache). A 401 or 403 Key Vault answers stays a refusal.
        AuthenticationFailedException e => new KeyVaultUnreachableException("The app's Azure credential could not obtain a token for Key Vault.", e),
        // The SDK's network timeout surfaces as a cancellation the caller did not ask for.
        OperationCanceledException e => new KeyVaultUnreachableException("Key Vault did not answer in time.", e),
        _ => null,
    };

    /// <summary>Key Vault's <c>error.message</c>, read from the response body.</summary>
    public static string? ServiceMessage(RequestFailedException exception)
    {
        var content = exception.GetRawResponse()?.Content;
        if (content is null || content.ToMemory().IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content.ToMemory());
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
