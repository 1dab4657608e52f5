namespace DefenderSnow.Simulators.Defender;

public sealed partial class ResourceManagerState
{
    private readonly Dictionary<string, SimulatedSecurityConnector> _connectors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds or replaces a security connector (by id).</summary>
    public void AddSecurityConnector(SimulatedSecurityConnector connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        if (!ArmPaths.IsResourceId(connector.Id) || !connector.Id.Contains("/providers/Microsoft.Security/securityConnectors/", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{connector.Id}' is not a security connector id.", nameof(connector));
        }

        lock (_gate)
        {
            _connectors[connector.Id] = connector;
        }
    }

    internal List<SimulatedSecurityConnector> SecurityConnectorsOf(string subscriptionId)
    {
        lock (_gate)
        {
            return _connectors.Values
                .Where(c => c.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => c.Id, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }
    }
}
