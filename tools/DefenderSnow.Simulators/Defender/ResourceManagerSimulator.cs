using System.Text.Json.Serialization;
using DefenderSnow.Simulators.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Simulators.Defender;

/// <summary>
/// Azure Resource Manager, the Defender for Cloud parts: governance assignments, assessments, assessment
/// metadata and management-group descendants, on a real HTTPS server on 127.0.0.1. It checks bearer
/// tokens for <c>https://management.azure.com</c> (the app's simulator credential issues such tokens).
/// Tests control it through <see cref="State"/>; local runs through <c>/_sim/arm/…</c>.
/// </summary>
public sealed class ResourceManagerSimulator : IAsyncDisposable
{
    private readonly SimulatorHost _host;

    private ResourceManagerSimulator(SimulatorHost host, ResourceManagerState state)
    {
        _host = host;
        State = state;
    }

    /// <summary>The Resource Manager endpoint to configure as <c>Defender:Endpoint</c>, for example <c>https://127.0.0.1:51234/</c>.</summary>
    public Uri BaseUri => _host.BaseUri;

    /// <summary>Seeds, stored governance assignments, role grants and request counts.</summary>
    public ResourceManagerState State { get; }

    /// <summary>Injected faults; endpoints are named by operation (<see cref="ResourceManagerOperations"/>).</summary>
    public SimulatorFaults Faults => State.Faults;

    public static async Task<ResourceManagerSimulator> StartAsync(ResourceManagerSimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ResourceManagerSimulatorOptions();
        var state = new ResourceManagerState(options.TimeProvider);
        var host = await SimulatorHost.StartAsync(
            "arm",
            options,
            state.Faults,
            control => ResourceManagerControlEndpoints.Map(control, state),
            app => app.Map("/{**path}", context => ResourceManagerEndpoints.HandleAsync(context, state)),
            services => services.Configure<JsonOptions>(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter())),
            cancellationToken);
        return new ResourceManagerSimulator(host, state);
    }

    /// <summary>An <see cref="HttpClient"/> that trusts the simulator's certificate, for raw requests in tests.</summary>
    public HttpClient CreateTrustingClient() => _host.CreateTrustingClient();

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
