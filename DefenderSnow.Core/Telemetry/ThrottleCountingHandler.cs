using System.Net;

namespace DefenderSnow.Core.Telemetry;

/// <summary>Counts every 429 an upstream answers, retried or not, so throttling shows in metrics before it shows as failures.</summary>
internal sealed class ThrottleCountingHandler : DelegatingHandler
{
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly string _service;

    public ThrottleCountingHandler(DefenderSnowTelemetry telemetry, string service)
    {
        _telemetry = telemetry;
        _service = service;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            _telemetry.Throttled(_service);
        }

        return response;
    }
}
