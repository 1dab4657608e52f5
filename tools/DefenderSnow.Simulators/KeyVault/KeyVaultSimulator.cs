using DefenderSnow.Simulators.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.KeyVault;

/// <summary>
/// A strict stand-in for an Azure Key Vault's secrets API, written from the REST reference: HTTPS with
/// a certificate made at start, the bearer challenge, tokens checked for the Key Vault audience, name,
/// size and tag rules, versions, soft delete with recover and purge, the 409 on reusing a deleted name,
/// paged lists, and the documented error bodies. Tests drive the real <c>SecretClient</c> against it.
/// </summary>
public sealed class KeyVaultSimulator : IAsyncDisposable
{
    private readonly KeyVaultState _state;
    private SimulatorHost? _host;

    private KeyVaultSimulator(KeyVaultState state)
    {
        _state = state;
    }

    /// <summary>The vault URI, for example <c>https://127.0.0.1:51234/</c>.</summary>
    public Uri BaseUri => Host.BaseUri;

    private SimulatorHost Host => _host ?? throw new InvalidOperationException("The simulator has not started.");

    /// <summary>Every data-plane request so far (not the <c>/_sim</c> ones), oldest first.</summary>
    public IReadOnlyList<KeyVaultRequest> Requests => _state.Requests();

    public int RequestCount => _state.Requests().Count;

    /// <summary>Injected faults; endpoints are named <c>"METHOD /path"</c>, for example <c>"PUT /secrets"</c>.</summary>
    public SimulatorFaults Faults { get; } = new();

    public static async Task<KeyVaultSimulator> StartAsync(KeyVaultSimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KeyVaultSimulatorOptions();
        if (options.RecoverableDays is < 7 or > 90)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Key Vault keeps deleted secrets for 7 to 90 days.");
        }

        var state = new KeyVaultState(options.TimeProvider, options.RecoverableDays);
        var simulator = new KeyVaultSimulator(state);
        var handler = new KeyVaultRequestHandler(state, options, simulator.Faults);
        simulator._host = await SimulatorHost.StartAsync(
            "keyvault",
            options,
            simulator.Faults,
            control => KeyVaultControlEndpoints.Map(control, state, simulator.Reset),
            app => app.Map("/{**path}", handler.HandleAsync),
            cancellationToken: cancellationToken);
        return simulator;
    }

    /// <summary>An <see cref="HttpClient"/> that trusts the simulator's certificate, for raw requests in tests.</summary>
    public HttpClient CreateTrustingClient() => Host.CreateTrustingClient();

    /// <summary>Names of the live secrets, as first written.</summary>
    public IReadOnlyList<string> SecretNames() => [.. _state.List().Select(s => s.Name)];

    /// <summary>Names of the soft-deleted secrets that are not yet purged.</summary>
    public IReadOnlyList<string> DeletedSecretNames() => [.. _state.ListDeleted().Select(d => d.Secret.Name)];

    /// <summary>The value of the latest (or the given) version of a live secret; <c>null</c> when there is none.</summary>
    public string? GetValue(string name, string? version = null)
    {
        var secret = _state.Get(name);
        return version is null
            ? secret?.Latest.Value
            : secret?.Versions.FirstOrDefault(v => string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase))?.Value;
    }

    /// <summary>The version ids of a live secret, oldest first; empty when there is none.</summary>
    public IReadOnlyList<string> Versions(string name) => [.. _state.Get(name)?.Versions.Select(v => v.Version) ?? []];

    /// <summary>The version ids of a live secret that are still enabled, oldest first.</summary>
    public IReadOnlyList<string> EnabledVersions(string name) =>
        [.. _state.Get(name)?.Versions.Where(v => v.Enabled).Select(v => v.Version) ?? []];

    /// <summary>The content type and tags of the latest version of a live secret.</summary>
    public (string? ContentType, IReadOnlyDictionary<string, string>? Tags)? Properties(string name) =>
        _state.Get(name) is { } secret ? (secret.Latest.ContentType, secret.Latest.Tags) : null;

    /// <summary>
    /// Purges a soft-deleted secret, as "Purge Deleted Secret" does
    /// (https://learn.microsoft.com/rest/api/keyvault/secrets/purge-deleted-secret/purge-deleted-secret): until then its
    /// name cannot be set again (409 <c>ObjectIsDeletedButRecoverable</c>). For tests that need a secret never written.
    /// </summary>
    public bool Purge(string name) => _state.Purge(name);

    public void ClearRequests() => _state.ClearRequests();

    /// <summary>Empties the vault (live and deleted) and the request log, and clears any fault.</summary>
    public void Reset()
    {
        _state.Reset();
        Faults.Clear();
    }

    public ValueTask DisposeAsync() => _host?.DisposeAsync() ?? ValueTask.CompletedTask;
}
