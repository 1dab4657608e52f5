using System.Collections.Concurrent;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>Counts API requests per endpoint ("GET /api/now/table/incident") and token requests per grant type.</summary>
internal sealed class SimRequestLog
{
    private readonly ConcurrentDictionary<string, int> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _grants = new(StringComparer.Ordinal);

    public void Count(string endpoint) => _endpoints.AddOrUpdate(endpoint, 1, (_, n) => n + 1);

    public void CountGrant(string grantType) => _grants.AddOrUpdate(grantType, 1, (_, n) => n + 1);

    public int Get(string endpoint) => _endpoints.GetValueOrDefault(endpoint);

    public int Grants(string grantType) => _grants.GetValueOrDefault(grantType);

    public IReadOnlyDictionary<string, int> Endpoints => new SortedDictionary<string, int>(_endpoints, StringComparer.Ordinal);

    public int Total => _endpoints.Values.Sum();

    public void Reset()
    {
        _endpoints.Clear();
        _grants.Clear();
    }
}
