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

    private ResourceManagerSimulator(SimulatorHost host)
    {
        _host = host;
        State = host.Services.GetRequiredService<ResourceManagerState>();
    }

    /// <summary>The Resource Manager endpoint to configure as <c>Defender:Endpoint</c>, for example <c>https://127.0.0.1:51234/</c>.</summary>
    public Uri BaseUri => _host.BaseUri;

    /// <summary>Seeds, stored governance assignments, request counts, faults and latency.</summary>
    public ResourceManagerState State { get; }

    /// <param name="port">0 for a random free port (tests); a fixed one for local runs.</param>
    /// <param name="timeProvider">The clock token expiry is checked against; the system clock by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<ResourceManagerSimulator> StartAsync(int port = 0, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var host = await SimulatorHost.StartAsync(
            services => ConfigureServices(services, timeProvider ?? TimeProvider.System),
            MapEndpoints,
            port,
            cancellationToken);
        return new ResourceManagerSimulator(host);
    }

    /// <summary>An <see cref="HttpClient"/> that trusts the simulator's certificate, for raw requests in tests.</summary>
    public HttpClient CreateTrustingClient() => _host.CreateTrustingClient();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private static void ConfigureServices(IServiceCollection services, TimeProvider timeProvider)
    {
        services.AddSingleton(new ResourceManagerState(timeProvider));
        services.Configure<JsonOptions>(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
    }

    private static void MapEndpoints(WebApplication app)
    {
        ResourceManagerControlEndpoints.Map(app);
        ResourceManagerEndpoints.Map(app);
    }
}
