using System.Net;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.ServiceNow;

/// <inheritdoc cref="IServiceNowConnectionVerifier"/>
internal sealed partial class ServiceNowConnectionVerifier : IServiceNowConnectionVerifier
{
    /// <summary>
    /// The tables an integration reads; a user who cannot read one of them would fail later, so fail now. The ticket
    /// tables are then also checked for the create right (<see cref="ServiceNowCreateAccessProbe"/>).
    /// </summary>
    private static readonly string[] DefaultTicketTables = [ServiceNowTicketTables.Incident, ServiceNowTicketTables.Problem, ServiceNowTicketTables.ChangeRequest];

    private readonly IServiceNowInstancePolicy _policy;
    private readonly ServiceNowOAuthClient _oauth;
    private readonly ServiceNowHttpClients _clients;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ServiceNowConnectionVerifier> _logger;

    public ServiceNowConnectionVerifier(
        IServiceNowInstancePolicy policy, ServiceNowOAuthClient oauth, ServiceNowHttpClients clients, TimeProvider timeProvider, ILogger<ServiceNowConnectionVerifier> logger)
    {
        _policy = policy;
        _oauth = oauth;
        _clients = clients;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<ServiceNowVerifiedConnection> VerifyAsync(ServiceNowCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var instanceUrl = _policy.Validate(credentials.InstanceUrl.OriginalString);
        var grant = await _oauth.PasswordGrantAsync(instanceUrl, credentials.ClientId, credentials.ClientSecret, credentials.Username, credentials.Password, cancellationToken).ConfigureAwait(false);
        if (grant.RefreshToken is null)
        {
            throw new ServiceNowRejectedException("ServiceNow issued no refresh token; check that the OAuth application allows the refresh grant.");
        }

        var api = _clients.Table(instanceUrl);
        var authorization = "Bearer " + grant.AccessToken;
        ServiceNowSelfRecord? self = null;
        var ticketTables = credentials.TicketTables ?? DefaultTicketTables;
        foreach (var table in ticketTables.Prepend("sys_user"))
        {
            // The user's own sys_user record is the read of sys_user: its time zone and its creation time (UTC, never
            // changed) are what the calibration of query dates needs (ServiceNowQueryDateProbe).
            var query = table == "sys_user"
                ? new ServiceNowListQuery { Query = $"user_name={ServiceNowQueryValue.Single(credentials.Username, "username")}", Fields = "sys_id,time_zone,sys_created_on", Limit = 1 }
                : new ServiceNowListQuery { Fields = "sys_id", Limit = 1 };
            using var response = await ServiceNowCall.SendAsync(
                () => api.ListAsync(table, query, authorization, cancellationToken),
                $"a read of table '{table}'",
                cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogReadFailed(_logger, instanceUrl.Host, table, (int)response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
                {
                    throw await ServiceNowCall.ToExceptionAsync(response, $"to read table '{table}'", table, cancellationToken).ConfigureAwait(false);
                }

                var reason = await ServiceNowCall.ReadReasonAsync(response, cancellationToken).ConfigureAwait(false);
                throw new ServiceNowRejectedException($"ServiceNow refused to read table '{table}': {reason}", (int)response.StatusCode, table: table);
            }

            if (table == "sys_user")
            {
                var users = await ServiceNowJson.ReadResultAsync<List<ServiceNowSelfRecord>>(response, cancellationToken).ConfigureAwait(false);
                self = users.FirstOrDefault() ?? throw new ServiceNowRejectedException($"ServiceNow shows no sys_user record for '{credentials.Username}' to its own user.", table: table);
            }
            else
            {
                await ServiceNowJson.ReadResultAsync<List<ServiceNowTicketRecord>>(response, cancellationToken).ConfigureAwait(false);
            }
        }

        var timeZone = ServiceNowJson.NullIfEmpty(self?.TimeZone);
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            throw new ServiceNowRejectedException(
                $"The ServiceNow user's time zone '{timeZone}' is not one DefenderSnow knows; give the user an IANA time zone (for example UTC) in ServiceNow.");
        }

        // What the instance offers on those tables (sys_db_object, sys_choice, sys_dictionary): the integration's
        // mappings are checked against it before anything is stored.
        var reader = new Instance.ServiceNowSchemaReader(api, (send, action, token) => ServiceNowCall.SendAsync(() => send(authorization), action, token), _timeProvider);
        var schema = await reader.ReadAsync(ticketTables, knownLineages: null, cancellationToken).ConfigureAwait(false);

        // A table that does not extend task is refused by the mapping (no ticket table); it is never written to, not even to probe it.
        var probe = new ServiceNowCreateAccessProbe(_logger);
        foreach (var table in ticketTables.Where(t => schema.For(t)?.Lineage is not { } lineage || (lineage.Count > 0 && lineage[^1] == Instance.ServiceNowSchemaReader.Task)))
        {
            await probe.ProveAsync(api, instanceUrl, table, authorization, cancellationToken).ConfigureAwait(false);
        }

        var queryDates = await ServiceNowQueryDateProbe.MeasureAsync(
            (table, query, token) => ServiceNowCall.SendAsync(() => api.ListAsync(table, query, authorization, token), $"a read of table '{table}'", token),
            self!,
            _timeProvider.GetUtcNow(),
            cancellationToken).ConfigureAwait(false);
        LogQueryDates(_logger, instanceUrl.Host, queryDates.Mode, queryDates.Zones[0], queryDates.Margin);

        LogVerified(_logger, instanceUrl.Host, credentials.Username);
        return new ServiceNowVerifiedConnection(instanceUrl, credentials.Username, grant.RefreshToken, timeZone, queryDates, schema);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ServiceNow {InstanceHost} answered HTTP {StatusCode} to a read of table {Table} during verification")]
    private static partial void LogReadFailed(ILogger logger, string instanceHost, string table, int statusCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "ServiceNow {InstanceHost} reads query dates as {QueryDateMode} (zone {QueryDateZone}, margin {QueryDateMargin})")]
    private static partial void LogQueryDates(ILogger logger, string instanceHost, ServiceNowQueryDateMode queryDateMode, string queryDateZone, TimeSpan queryDateMargin);

    [LoggerMessage(Level = LogLevel.Information, Message = "ServiceNow credentials verified on {InstanceHost} for user {Username}")]
    private static partial void LogVerified(ILogger logger, string instanceHost, string username);
}
