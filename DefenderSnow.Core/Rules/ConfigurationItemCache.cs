using DefenderSnow.Core.ServiceNow;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Rules;

/// <summary>
/// The configuration items of the resources one evaluation opens tickets for (issue 25 item 5): each resource id is
/// looked up in <c>cmdb_ci</c> by <c>object_id</c> once per evaluation, all the rules' findings together, so a run costs
/// one query per <see cref="IServiceNowClient.FindConfigurationItemsAsync"/> chunk rather than one per finding. Made per
/// evaluation, never shared.
/// </summary>
internal sealed partial class ConfigurationItemCache
{
    private readonly Dictionary<string, string?> _known = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger;

    public ConfigurationItemCache(ILogger logger)
    {
        _logger = logger;
    }

    /// <summary>Looks up the ids not seen yet. A user who may not read cmdb_ci (403, an ACL) gets tickets without a CI, never a failure.</summary>
    public async Task LoadAsync(IServiceNowClient client, IEnumerable<string> resourceIds, CancellationToken cancellationToken)
    {
        var missing = resourceIds.Where(id => !_known.ContainsKey(id)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        IReadOnlyDictionary<string, string> found;
        try
        {
            found = await client.FindConfigurationItemsAsync(missing, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceNowRejectedException e) when (e.StatusCode == 403)
        {
            LogNotReadable(_logger, client.Connection.IntegrationId, e.Message);
            found = new Dictionary<string, string>();
        }

        foreach (var id in missing)
        {
            _known[id] = found.GetValueOrDefault(id);
        }
    }

    /// <summary>The sys_id of the resource's CI; <c>null</c> when it has none (or it was not loaded).</summary>
    public string? For(string resourceId) => _known.GetValueOrDefault(resourceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Integration {IntegrationId} may not read cmdb_ci; tickets are opened without a configuration item: {Reason}")]
    private static partial void LogNotReadable(ILogger logger, string integrationId, string reason);
}
