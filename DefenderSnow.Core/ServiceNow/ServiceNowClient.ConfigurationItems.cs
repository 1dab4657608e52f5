using System.Text.Json.Serialization;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>The look-up of configuration items by the Azure resource id the Service Graph Connector stores in <c>object_id</c>.</summary>
internal sealed partial class ServiceNowClient
{
    /// <summary>
    /// Ids per query. Azure resource ids run to about 200 characters; 25 keep the URL near 5 KB, under the 8 KB that many
    /// proxies and load balancers in front of an instance allow.
    /// </summary>
    internal const int ConfigurationItemChunkSize = 25;

    /// <summary>Rows per query: an id may match a few CIs (a class and a duplicate the IRE has not reconciled), each id keeps the oldest.</summary>
    private const int RowsPerId = 4;

    public async Task<IReadOnlyDictionary<string, string>> FindConfigurationItemsAsync(IReadOnlyCollection<string> objectIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectIds);
        var found = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // An id that cannot stand in an IN list (a ',' or '^' in a resource name) is not asked for: it simply has no CI.
        var ids = objectIds.Where(ServiceNowQueryValue.IsListItem).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var chunk in ids.Chunk(ConfigurationItemChunkSize))
        {
            // cmdb_ci is the base class of every CI class (the Azure ones of the Service Graph Connector extend it:
            // https://www.servicenow.com/docs/r/q4dSP2Icgr1SFv5wanVXvQ/nEnkCPuhX06ZCQ5l2yUg2Q), so one query covers them all.
            var query = new ServiceNowListQuery
            {
                Query = $"object_idIN{ServiceNowQueryValue.List(chunk, "resourceId")}^ORDERBYsys_created_on",
                Fields = "sys_id,object_id",
                Limit = chunk.Length * RowsPerId,
            };
            var records = await _session.ListAsync<ServiceNowConfigurationItemRecord>("cmdb_ci", query, cancellationToken).ConfigureAwait(false);

            // Matched back here, ignoring case (Azure resource ids are case-insensitive and Defender and the connector may
            // write them differently): an instance without object_id ignores the condition and answers any CIs, which
            // then match nothing.
            foreach (var record in records)
            {
                if (record.SysId is { } sysId && record.ObjectId is { } objectId && chunk.Contains(objectId, StringComparer.OrdinalIgnoreCase))
                {
                    found.TryAdd(objectId, sysId);
                }
            }
        }

        return found;
    }
}

internal sealed record ServiceNowConfigurationItemRecord(
    [property: JsonPropertyName("sys_id")] string? SysId,
    [property: JsonPropertyName("object_id")] string? ObjectId);
