using System.Collections.Concurrent;
using DefenderSnow.Core.Secrets;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>A secret store for ServiceNow tests (the Key Vault store is tested on its own).</summary>
internal sealed class InMemorySecretStore : ISecretStore
{
    private readonly ConcurrentDictionary<(string, IntegrationSecret), string> _values = new();

    public Task SetAsync(string integrationId, IntegrationSecret secret, string value, CancellationToken cancellationToken)
    {
        _values[(integrationId, secret)] = value;
        return Task.CompletedTask;
    }

    public Task<string?> GetAsync(string integrationId, IntegrationSecret secret, CancellationToken cancellationToken) =>
        Task.FromResult(_values.TryGetValue((integrationId, secret), out var value) ? value : null);

    public Task DeleteAsync(string integrationId, IntegrationSecret secret, CancellationToken cancellationToken)
    {
        _values.TryRemove((integrationId, secret), out _);
        return Task.CompletedTask;
    }

    public string? Peek(string integrationId, IntegrationSecret secret) => _values.TryGetValue((integrationId, secret), out var value) ? value : null;
}
