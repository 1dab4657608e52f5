using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// The Table API calls of one connection: each carries the connection's access token, a 401 renews it once, and list
/// reads say whether ServiceNow names a next page. Shared by <see cref="ServiceNowClient"/> (writes, users, groups) and
/// <see cref="ServiceNowTicketReader"/> (ticket reads), so both renew and page the same way.
/// </summary>
internal sealed partial class ServiceNowSession
{
    private readonly IServiceNowTableApi _api;
    private readonly IServiceNowTokenProvider _tokens;
    private readonly ILogger _logger;

    public ServiceNowSession(ServiceNowConnection connection, IServiceNowTableApi api, IServiceNowTokenProvider tokens, ILogger logger)
    {
        Connection = connection;
        _api = api;
        _tokens = tokens;
        _logger = logger;
    }

    public ServiceNowConnection Connection { get; }

    /// <summary>The Table API itself, for the caller to build the request that <see cref="SendAuthorizedAsync"/> sends.</summary>
    public IServiceNowTableApi Api => _api;

    public async Task<List<T>> ListAsync<T>(string table, ServiceNowListQuery query, CancellationToken cancellationToken) =>
        (await ListPageAsync<T>(table, query, cancellationToken).ConfigureAwait(false)).Records;

    /// <summary>
    /// One page, and whether ServiceNow names a next one (<c>Link</c> with <c>rel="next"</c>). A short or empty page
    /// says nothing: row-level ACLs take rows out after the page is cut.
    /// </summary>
    public async Task<(List<T> Records, bool HasNext)> ListPageAsync<T>(string table, ServiceNowListQuery query, CancellationToken cancellationToken)
    {
        using var response = await SendAuthorizedAsync(
            authorization => _api.ListAsync(table, query, authorization, cancellationToken),
            $"a read of table '{table}'",
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceNowCall.ToExceptionAsync(response, $"to read table '{table}'", table, cancellationToken).ConfigureAwait(false);
        }

        var hasNext = response.Headers.TryGetValues("Link", out var links) && links.Any(l => NextLink().IsMatch(l));
        return (await ServiceNowJson.ReadResultAsync<List<T>>(response, cancellationToken).ConfigureAwait(false), hasNext);
    }

    [GeneratedRegex(@"rel\s*=\s*""?next""?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NextLink();

    /// <summary>Sends with the current token; a 401 renews the token once and sends once more, never again.</summary>
    public async Task<HttpResponseMessage> SendAuthorizedAsync(Func<string, Task<HttpResponseMessage>> send, string action, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetAccessTokenAsync(Connection, cancellationToken).ConfigureAwait(false);
        var response = await ServiceNowCall.SendAsync(() => send("Bearer " + token), action, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        LogTokenRefused(_logger, Connection.IntegrationId);
        token = await _tokens.RenewAccessTokenAsync(Connection, token, cancellationToken).ConfigureAwait(false);
        return await ServiceNowCall.SendAsync(() => send("Bearer " + token), action, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ServiceNow refused the access token of integration {IntegrationId}; renewing once")]
    private static partial void LogTokenRefused(ILogger logger, string integrationId);
}
