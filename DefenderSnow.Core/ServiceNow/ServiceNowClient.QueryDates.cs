namespace DefenderSnow.Core.ServiceNow;

/// <summary>The calibration of query dates on a stored connection, run by each full pass.</summary>
internal sealed partial class ServiceNowClient
{
    public async Task<ServiceNowQueryDates> MeasureQueryDatesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var query = new ServiceNowListQuery
        {
            Query = $"user_name={ServiceNowQueryValue.Single(Connection.Username, "username")}",
            Fields = "sys_id,time_zone,sys_created_on",
            Limit = 1,
        };
        var self = (await _session.ListAsync<ServiceNowSelfRecord>("sys_user", query, cancellationToken).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new ServiceNowRejectedException($"ServiceNow shows no sys_user record for '{Connection.Username}' to its own user.", table: "sys_user");
        return await ServiceNowQueryDateProbe.MeasureAsync(
            (table, list, token) => _session.SendAuthorizedAsync(authorization => _session.Api.ListAsync(table, list, authorization, token), $"a read of table '{table}'", token),
            self,
            now,
            cancellationToken).ConfigureAwait(false);
    }
}
