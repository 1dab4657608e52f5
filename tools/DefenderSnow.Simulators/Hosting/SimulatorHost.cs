using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
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
    /// Builds and starts a simulator. <paramref name="configureServices"/> registers its state;
    /// <paramref name="mapEndpoints"/> maps its routes.
    /// </summary>
    public static async Task<SimulatorHost> StartAsync(
        Action<IServiceCollection> configureServices,
        Action<WebApplication> mapEndpoints,
        int port = 0,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(SimulatorCertificate.Instance)));
        configureServices(builder.Services);
        var app = builder.Build();
        mapEndpoints(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var bound = new Uri(address);
        return new SimulatorHost(app, new Uri($"https://127.0.0.1:{bound.Port}/"));
    }

    /// <summary>An <see cref="HttpClient"/> for tests that trusts this simulator's certificate and nothing else unusual.</summary>
    public HttpClient CreateTrustingClient()
    {
        var expected = SimulatorCertificate.Instance.Thumbprint;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == expected,
        };
        return new HttpClient(handler) { BaseAddress = BaseUri };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
