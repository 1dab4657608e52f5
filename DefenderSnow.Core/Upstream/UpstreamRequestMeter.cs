using DefenderSnow.Core.Telemetry;

namespace DefenderSnow.Core.Upstream;

/// <summary>
/// Counts the HTTP requests (every attempt, token requests included) sent to ServiceNow and Resource Manager
/// within a measured flow, so a run can report what each integration cost. The count follows the async flow
/// that began it, so integrations synced at once in one process are counted apart.
/// </summary>
/// <remarks>
/// Part of the upstream pipeline it is fed by (<see cref="UpstreamHttpClientBuilderExtensions"/> registers it and its
/// handler); a measuring caller (the sync run's recorder) depends on it, never the other way round.
/// Ambient rather than handed down because the requests of a run leave from clients the run does not hold: the
/// constructor-injected <c>IDefenderClient</c> of the applier, finding reader, rule candidates and assignment creation,
/// and the singleton ServiceNow token provider. Passing the tally means stamping it on each request's
/// <see cref="HttpRequestMessage.Options"/> from clients made for the run (issue 23 notes the path);
/// <c>ConcurrentRunRequestCountTests</c> holds the guarantee either way: two runs at once count only their own.
/// </remarks>
public sealed class UpstreamRequestMeter
{
    private readonly AsyncLocal<UpstreamRequestTally?> _current = new();

    /// <summary>Counts requests from here on in this async flow into the returned tally.</summary>
    public UpstreamRequestTally Begin()
    {
        var tally = new UpstreamRequestTally();
        _current.Value = tally;
        return tally;
    }

    internal void Count(UpstreamSystem system) => _current.Value?.Add(system);
}

/// <summary>The systems whose requests are counted.</summary>
public enum UpstreamSystem
{
    ServiceNow,
    ResourceManager,
}

/// <summary>Requests counted by one measured flow.</summary>
public sealed class UpstreamRequestTally
{
    private int _serviceNow;
    private int _resourceManager;

    public int ServiceNow => Volatile.Read(ref _serviceNow);

    public int ResourceManager => Volatile.Read(ref _resourceManager);

    internal void Add(UpstreamSystem system)
    {
        if (system == UpstreamSystem.ServiceNow)
        {
            Interlocked.Increment(ref _serviceNow);
        }
        else
        {
            Interlocked.Increment(ref _resourceManager);
        }
    }
}

/// <summary>
/// Sees every attempt that goes on the wire (it sits inside the resilience pipeline): counts it for the measured
/// flow, and counts each 429 in the <c>defendersnow.upstream.throttled</c> metric, retried or not, so throttling
/// shows before it shows as failures.
/// </summary>
internal sealed class UpstreamRequestCountingHandler : DelegatingHandler
{
    private readonly UpstreamRequestMeter _meter;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly UpstreamSystem _system;

    public UpstreamRequestCountingHandler(UpstreamRequestMeter meter, DefenderSnowTelemetry telemetry, UpstreamSystem system)
    {
        _meter = meter;
        _telemetry = telemetry;
        _system = system;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _meter.Count(_system);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            _telemetry.Throttled(_system);
        }

        return response;
    }
}
