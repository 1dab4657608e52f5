using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// Runs one simulator as a real HTTPS server on 127.0.0.1, on a chosen or a random free port.
/// Tests start it in-process; the simulators' Program runs it on fixed ports for local runs.
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatorHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The simulator's root, for example <c>https://127.0.0.1:51234/</c>.</summary>
    public Uri BaseUri { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Builds and starts a simulator, every one the same way: its control routes under <c>/_sim/{name}</c>
    /// (with the shared <c>/faults</c> routes over <paramref name="faults"/>), then its service routes.
    /// </summary>
    /// <param name="name">The simulator's name in control paths: <c>servicenow</c>, <c>arm</c>, <c>keyvault</c>.</param>
    /// <param name="options">Port and clock.</param>
    /// <param name="faults">The simulator's injected faults.</param>
    /// <param name="mapControl">Maps the simulator's own control routes, relative to <c>/_sim/{name}</c>.</param>
    /// <param name="mapService">Maps the routes of the service it stands in for.</param>
    /// <param name="configureServices">Registers what its routes need.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<SimulatorHost> StartAsync(
        string name,
        SimulatorOptions options,
        SimulatorFaults faults,
        Action<RouteGroupBuilder> mapControl,
        Action<WebApplication> mapService,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapControl);
        ArgumentNullException.ThrowIfNull(mapService);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(SimulatorCertificate.Instance)));
        builder.Services.AddSingleton<IHostLifetime, SimulatorHostLifetime>();
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        var control = app.MapGroup($"/_sim/{name}");
        control.MapFaults(faults);
        mapControl(control);
        mapService(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var bound = new Uri(address);
        return new SimulatorHost(app, new Uri($"https://127.0.0.1:{bound.Port}/"));
    }

    /// <summary>An <see cref="HttpClient"/> for tests that trusts this simulator's certificate and nothing else unusual.</summary>
    public HttpClient CreateTrustingClient() => new(CreateTrustingHandler()) { BaseAddress = BaseUri };

    /// <summary>A handler that trusts the simulators' certificate (and no other unusual one).</summary>
    public static HttpMessageHandler CreateTrustingHandler()
    {
        var expected = SimulatorCertificate.Instance.Thumbprint;
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == expected,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
