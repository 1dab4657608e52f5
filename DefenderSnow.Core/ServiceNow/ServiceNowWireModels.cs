using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DefenderSnow.Core.ServiceNow;

// ServiceNow's JSON shapes, kept apart from the models callers see, and the one place that maps them. Every Table
// API read asks for raw values without reference links (ServiceNowListQuery: sysparm_display_value=false,
// sysparm_exclude_reference_link=true), so every field, a reference included, arrives as a string; an object or a
// number in its place is a malformed answer. A field the user may not read is left out (field-level ACLs): it reads
// as null, and only the fields nothing works without fail loudly.

/// <summary>The Table API's envelope: <c>{"result": [...]}</c> for a list, <c>{"result": {...}}</c> for one record.</summary>
internal sealed record ServiceNowResult<T>([property: JsonPropertyName("result")] T? Result);

internal sealed record ServiceNowTicketRecord(
    [property: JsonPropertyName("sys_id")] string? SysId,
    [property: JsonPropertyName("number")] string? Number,
    [property: JsonPropertyName("state")] string? State,
    [property: JsonPropertyName("short_description")] string? ShortDescription,
    [property: JsonPropertyName("assigned_to")] string? AssignedTo,
    [property: JsonPropertyName("assigned_to.user_name")] string? AssignedToUserName,
    [property: JsonPropertyName("assigned_to.email")] string? AssignedToEmail,
    [property: JsonPropertyName("assignment_group")] string? AssignmentGroup,
    [property: JsonPropertyName("correlation_id")] string? CorrelationId,
    [property: JsonPropertyName("correlation_display")] string? CorrelationDisplay,
    [property: JsonPropertyName("sys_created_by")] string? SysCreatedBy,
    [property: JsonPropertyName("sys_created_on")] string? SysCreatedOn,
    [property: JsonPropertyName("sys_updated_on")] string? SysUpdatedOn,
    [property: JsonPropertyName("sys_mod_count")] string? SysModCount)
{
    /// <exception cref="ServiceNowUnreachableException">The record has no sys_id, or a modification count that is not a number.</exception>
    public ServiceNowTicket ToTicket(ServiceNowTicketTable table, Uri instanceUrl)
    {
        var sysId = SysId ?? throw new ServiceNowUnreachableException($"ServiceNow returned a '{table.Name}' record without sys_id.");
        return new ServiceNowTicket
        {
            Table = table.Name,
            SysId = sysId,
            Number = Number ?? string.Empty,
            State = table.DescribeState(State),
            ShortDescription = ServiceNowJson.NullIfEmpty(ShortDescription),
            AssignedToSysId = ServiceNowJson.NullIfEmpty(AssignedTo),
            AssignedToUserName = ServiceNowJson.NullIfEmpty(AssignedToUserName),
            AssignedToEmail = ServiceNowJson.NullIfEmpty(AssignedToEmail),
            AssignmentGroupSysId = ServiceNowJson.NullIfEmpty(AssignmentGroup),
            CorrelationId = ServiceNowJson.NullIfEmpty(CorrelationId),
            CorrelationDisplay = ServiceNowJson.NullIfEmpty(CorrelationDisplay),
            CreatedBy = ServiceNowJson.NullIfEmpty(SysCreatedBy),
            CreatedOn = ServiceNowDateTime.Parse(SysCreatedOn) ?? DateTimeOffset.MinValue,
            UpdatedOn = ServiceNowDateTime.Parse(SysUpdatedOn) ?? DateTimeOffset.MinValue,
            ModCount = ModCount(table, sysId),
            Link = table.LinkFor(instanceUrl, sysId),
        };
    }

    // A hidden count reads as 0 (the change read then sees the ticket again, which is safe); garbage is no count.
    private int ModCount(ServiceNowTicketTable table, string sysId) =>
        string.IsNullOrEmpty(SysModCount) ? 0
        : int.TryParse(SysModCount, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count
        : throw new ServiceNowUnreachableException($"ServiceNow returned '{table.Name}' record {sysId} with a sys_mod_count that is not a number.");
}

internal sealed record ServiceNowUserRecord(
    [property: JsonPropertyName("sys_id")] string? SysId,
    [property: JsonPropertyName("user_name")] string? UserName,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("time_zone")] string? TimeZone)
{
    public ServiceNowUser ToUser() =>
        new(SysId ?? string.Empty, UserName ?? string.Empty, ServiceNowJson.NullIfEmpty(Email), ServiceNowJson.NullIfEmpty(Name));
}

internal sealed record ServiceNowGroupRecord(
    [property: JsonPropertyName("sys_id")] string? SysId,
    [property: JsonPropertyName("name")] string? Name)
{
    public ServiceNowGroup ToGroup() => new(SysId ?? string.Empty, Name ?? string.Empty);
}

/// <summary>The answer of <c>/oauth_token.do</c>; <c>expires_in</c> is a number (seconds), read from a string too.</summary>
internal sealed record ServiceNowTokenAnswer(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("expires_in"), JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)] long? ExpiresIn)
{
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(30);

    /// <exception cref="ServiceNowUnreachableException">The answer has no access token.</exception>
    public ServiceNowTokenGrant ToGrant() =>
        new(
            ServiceNowJson.NullIfEmpty(AccessToken) ?? throw new ServiceNowUnreachableException("ServiceNow's token answer has no access_token."),
            ServiceNowJson.NullIfEmpty(RefreshToken),
            ExpiresIn is > 0 and <= int.MaxValue ? TimeSpan.FromSeconds(ExpiresIn.Value) : DefaultLifetime);
}

/// <summary>
/// An error body: the Table API's <c>{"error":{"message","detail"},"status":"failure"}</c>, or the OAuth endpoint's
/// <c>{"error":"invalid_grant","error_description":...}</c> (which ServiceNow also sends for a 401 of the Table API).
/// </summary>
internal sealed record ServiceNowErrorAnswer(
    [property: JsonPropertyName("error")] ServiceNowError? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription,
    [property: JsonPropertyName("status")] string? Status)
{
    /// <summary>ServiceNow's reason, or <c>null</c> when the body gives none.</summary>
    public string? Reason => Error switch
    {
        { Code: null, Message: var message, Detail: var detail } =>
            string.IsNullOrEmpty(detail) ? message : string.IsNullOrEmpty(message) ? detail : $"{message} ({detail})",
        _ => ErrorDescription ?? Error?.Code,
    };
}

/// <summary>The <c>error</c> member: an object with <c>message</c> and <c>detail</c>, or OAuth's bare error code.</summary>
[JsonConverter(typeof(ServiceNowErrorConverter))]
internal sealed record ServiceNowError(string? Message, string? Detail, string? Code);

internal sealed class ServiceNowErrorConverter : JsonConverter<ServiceNowError>
{
    public override ServiceNowError? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => new ServiceNowError(null, null, reader.GetString()),
            JsonTokenType.StartObject => JsonSerializer.Deserialize<ServiceNowErrorBody>(ref reader, options) is { } body
                ? new ServiceNowError(body.Message, body.Detail, null)
                : null,
            _ => throw new JsonException("ServiceNow's 'error' is neither an object nor a string."),
        };

    public override void Write(Utf8JsonWriter writer, ServiceNowError value, JsonSerializerOptions options) =>
        throw new NotSupportedException("DefenderSnow only reads ServiceNow's errors.");

    private sealed record ServiceNowErrorBody(
        [property: JsonPropertyName("message")] string? Message,
        [property: JsonPropertyName("detail")] string? Detail);
}
