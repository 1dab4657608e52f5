using System.Text.Json;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// The one deserializer of ServiceNow's answers into the records of <c>ServiceNowWireModels.cs</c>. It reads the
/// response stream as it arrives (a large page is never held as text and as records at once), and a malformed answer,
/// a wrongly typed field included, becomes <see cref="ServiceNowUnreachableException"/>, never a <see cref="JsonException"/>.
/// </summary>
internal static class ServiceNowJson
{
    // Exact member names, as ServiceNow spells them; values are strings unless a record says otherwise.
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General);

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The <c>result</c> of a Table API answer: a list of records, or the one record of a create or update.</summary>
    public static async Task<T> ReadResultAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
        where T : class =>
        (await ReadAsync<ServiceNowResult<T>>(response, cancellationToken).ConfigureAwait(false)).Result
            ?? throw new ServiceNowUnreachableException("ServiceNow answered without a 'result'.");

    /// <summary>A whole answer as <typeparamref name="T"/>.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
        where T : class
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var disposeStream = stream.ConfigureAwait(false);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, Options, cancellationToken).ConfigureAwait(false)
                ?? throw new ServiceNowUnreachableException("ServiceNow answered with JSON null.");
        }
        catch (JsonException e)
        {
            // The path names the member (never its value, which may be a token).
            throw new ServiceNowUnreachableException($"ServiceNow answered with malformed JSON (at {e.Path ?? "$"}).", e);
        }
    }

    /// <summary>ServiceNow's reason in an error body, or <c>null</c> when the body is empty or not one of its error shapes.</summary>
    public static string? ReadReason(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ServiceNowErrorAnswer>(body, Options)?.Reason;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
