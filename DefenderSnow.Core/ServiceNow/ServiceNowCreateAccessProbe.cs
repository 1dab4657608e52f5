using System.Net;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Proves at verification that the account may open tickets in a table, without leaving one behind. It posts a ticket
/// whose <c>state</c> is no state of the table: the create ACL is checked before anything else, so an account without
/// it gets 403 "ACL Exception Insert Failed"; an account with it reaches the state model, which refuses the unknown
/// state (403 "Operation Failed"), and nothing is written. Should an instance accept any state, the probe ticket it
/// created (marked in <c>correlation_display</c> and <c>short_description</c>) is deleted at once; a failed delete is
/// logged with its number, and the probe still counts as proof.
/// </summary>
internal sealed partial class ServiceNowCreateAccessProbe
{
    /// <summary>Marks a probe ticket for anyone who finds one.</summary>
    public const string CorrelationDisplay = "DefenderSnow-access-check";

    private const string ImpossibleState = "-999999";
    private readonly ILogger _logger;

    public ServiceNowCreateAccessProbe(ILogger logger)
    {
        _logger = logger;
    }

    /// <exception cref="ServiceNowRejectedException">The account may not create tickets in <paramref name="table"/>.</exception>
    /// <exception cref="ServiceNowUnreachableException">ServiceNow kept failing.</exception>
    public async Task ProveAsync(IServiceNowTableApi api, Uri instanceUrl, string table, string authorization, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, string>
        {
            ["state"] = ImpossibleState,
            ["short_description"] = "DefenderSnow access check: never meant to be saved",
            ["correlation_display"] = CorrelationDisplay,
        };
        using var response = await ServiceNowCall.SendAsync(
            () => api.CreateAsync(table, body, new ServiceNowListQuery { Fields = "sys_id,number" }, authorization, cancellationToken),
            $"the create check on table '{table}'",
            cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            await DeleteProbeAsync(api, instanceUrl, table, response, authorization, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
        {
            throw await ServiceNowCall.ToExceptionAsync(response, $"to check ticket creation in '{table}'", table, cancellationToken).ConfigureAwait(false);
        }

        var reason = await ServiceNowCall.ReadReasonAsync(response, cancellationToken).ConfigureAwait(false);
        // A 403 from a business rule or data policy comes after the create ACL passed: the right is proven.
        if (response.StatusCode == HttpStatusCode.Forbidden && !reason.Contains("ACL", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        LogCreateRefused(_logger, instanceUrl.Host, table, (int)response.StatusCode);
        throw new ServiceNowRejectedException(
            $"ServiceNow refused to create tickets in '{table}': {reason}. The account needs the create right on every ticket table (for example the itil role).",
            (int)response.StatusCode,
            table: table);
    }

    private async Task DeleteProbeAsync(IServiceNowTableApi api, Uri instanceUrl, string table, HttpResponseMessage created, string authorization, CancellationToken cancellationToken)
    {
        var record = await ServiceNowJson.ReadResultAsync<ServiceNowTicketRecord>(created, cancellationToken).ConfigureAwait(false);
        var sysId = record.SysId;
        var number = record.Number ?? "?";
        if (!ServiceNowQueryValue.IsSysId(sysId))
        {
            LogProbeLeft(_logger, instanceUrl.Host, table, number);
            return;
        }

        using var deleted = await ServiceNowCall.SendAsync(
            () => api.DeleteAsync(table, sysId!, authorization, cancellationToken),
            $"the removal of the create check ticket in '{table}'",
            cancellationToken).ConfigureAwait(false);
        if (!deleted.IsSuccessStatusCode)
        {
            LogProbeLeft(_logger, instanceUrl.Host, table, number);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ServiceNow {InstanceHost} refused (HTTP {StatusCode}) to let the account create tickets in {Table}")]
    private static partial void LogCreateRefused(ILogger logger, string instanceHost, string table, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ServiceNow {InstanceHost} accepted the create check in {Table} and its ticket {Number} could not be removed; delete it by hand")]
    private static partial void LogProbeLeft(ILogger logger, string instanceHost, string table, string number);
}
