namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// The faults a simulator injects into its service requests (never into <c>/_sim</c> control requests); the
/// same class and the same rules in all three simulators. An <c>endpoint</c> filter names the simulator's
/// endpoints by prefix, ending at a segment boundary: <c>"POST /api/now/table"</c> matches
/// <c>"POST /api/now/table/incident"</c>, <c>"GetAssessment"</c> does not match <c>"GetAssessmentMetadata"</c>;
/// <c>null</c> matches every request. Answers are used in the order they were added.
/// </summary>
public sealed class SimulatorFaults
{
    /// <summary>A count for a fault that stays until <see cref="Clear"/>.</summary>
    public const int Always = int.MaxValue;

    private readonly Lock _lock = new();
    private readonly List<Rule> _rules = [];
    private TimeSpan _latency;
    private double _serverErrorRate;
    private double _serverErrorDebt;

    /// <summary>Added to every request.</summary>
    public TimeSpan Latency
    {
        get { lock (_lock) { return _latency; } }
        set { lock (_lock) { _latency = value < TimeSpan.Zero ? TimeSpan.Zero : value; } }
    }

    /// <summary>
    /// Share (0 to 1) of requests answered 500 before any work is done. Deterministic: failures are spread
    /// evenly (0.5 fails every second request), so tests can count.
    /// </summary>
    public double ServerErrorRate
    {
        get { lock (_lock) { return _serverErrorRate; } }
        set { lock (_lock) { _serverErrorRate = Math.Clamp(value, 0, 1); _serverErrorDebt = 0; } }
    }

    /// <summary>The next <paramref name="count"/> matching requests wait <paramref name="delay"/> first.</summary>
    public void DelayNext(int count, TimeSpan delay, string? endpoint = null) =>
        Add(new Rule(new SimulatorFault(SimulatorFaultKind.Delay, Delay: delay), count, endpoint));

    /// <summary>The next <paramref name="count"/> matching requests are answered 429 with <c>Retry-After</c>.</summary>
    public void RateLimitNext(int count, TimeSpan retryAfter, string? endpoint = null) => FailNext(count, 429, endpoint, retryAfter);

    /// <summary>
    /// The next <paramref name="count"/> matching requests are answered <paramref name="statusCode"/> before any work
    /// is done, with <c>Retry-After</c> when <paramref name="retryAfter"/> is given.
    /// </summary>
    public void FailNext(int count, int statusCode = 503, string? endpoint = null, TimeSpan? retryAfter = null)
    {
        if (statusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), "A fault answers with a 4xx or 5xx status.");
        }

        Add(new Rule(new SimulatorFault(SimulatorFaultKind.Answer, statusCode, retryAfter), count, endpoint));
    }

    /// <summary>The next <paramref name="count"/> matching requests get 401, whatever their credentials.</summary>
    public void UnauthorizedNext(int count, string? endpoint = null) => FailNext(count, 401, endpoint);

    /// <summary>The next <paramref name="count"/> matching requests get 403, as when the caller lacks a permission.</summary>
    public void ForbidNext(int count, string? endpoint = null) => FailNext(count, 403, endpoint);

    /// <summary>The next <paramref name="count"/> matching requests lose their connection without an answer.</summary>
    public void DropNext(int count, string? endpoint = null) => Add(new Rule(new SimulatorFault(SimulatorFaultKind.Drop), count, endpoint));

    /// <summary>The next <paramref name="count"/> matching requests are carried out, then answered 500: the answer is "lost".</summary>
    public void FailAfterCommitNext(int count, string? endpoint = null) =>
        Add(new Rule(new SimulatorFault(SimulatorFaultKind.FailAfterCommit, 500), count, endpoint));

    /// <summary>The next <paramref name="count"/> matching requests are answered 302 with <c>Location: <paramref name="location"/></c>.</summary>
    public void RedirectNext(int count, Uri location, string? endpoint = null) =>
        Add(new Rule(new SimulatorFault(SimulatorFaultKind.Redirect, 302, Location: location), count, endpoint));

    /// <summary>
    /// The next <paramref name="count"/> matching requests get no answer until the caller gives up, and are carried out
    /// afterwards (see <see cref="SimulatorFaultKind.CommitLate"/>).
    /// </summary>
    public void CommitLateNext(int count, string? endpoint = null) =>
        Add(new Rule(new SimulatorFault(SimulatorFaultKind.CommitLate), count, endpoint));

    /// <summary>How many requests the counted faults (the <c>…Next</c> calls) are still waiting for.</summary>
    public long Pending
    {
        get
        {
            lock (_lock)
            {
                return _rules.Sum(r => (long)r.Remaining);
            }
        }
    }

    /// <summary>Removes every fault, the latency and the error rate.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
            _latency = TimeSpan.Zero;
            _serverErrorRate = 0;
            _serverErrorDebt = 0;
        }
    }

    /// <summary>
    /// What happens to a request to <paramref name="endpoint"/> before it is handled: how long it waits, then the
    /// answer or drop that replaces it (<c>null</c> to handle it).
    /// </summary>
    public (TimeSpan Delay, SimulatorFault? Fault) Before(string endpoint)
    {
        lock (_lock)
        {
            var delay = _latency;
            if (Take(endpoint, k => k == SimulatorFaultKind.Delay) is { } slow)
            {
                delay += slow.Delay;
            }

            var fault = Take(endpoint, k => k is SimulatorFaultKind.Answer or SimulatorFaultKind.Drop or SimulatorFaultKind.Redirect);
            if (fault is null && _serverErrorRate > 0)
            {
                _serverErrorDebt += _serverErrorRate;
                if (_serverErrorDebt >= 1 - 1e-9)
                {
                    _serverErrorDebt -= 1;
                    fault = new SimulatorFault(SimulatorFaultKind.Answer, 500);
                }
            }

            return (delay, fault);
        }
    }

    /// <summary>Whether the answer to a request that was carried out is to be replaced by a 500.</summary>
    public bool FailAfterCommit(string endpoint)
    {
        lock (_lock)
        {
            return Take(endpoint, k => k == SimulatorFaultKind.FailAfterCommit) is not null;
        }
    }

    /// <summary>Whether a request to <paramref name="endpoint"/> is to be answered late and carried out after its caller left.</summary>
    public bool CommitLate(string endpoint)
    {
        lock (_lock)
        {
            return Take(endpoint, k => k == SimulatorFaultKind.CommitLate) is not null;
        }
    }

    internal static bool Matches(string? filter, string endpoint) =>
        filter is null
        || string.Equals(filter, endpoint, StringComparison.Ordinal)
        || (endpoint.StartsWith(filter, StringComparison.Ordinal) && (filter.EndsWith('/') || endpoint[filter.Length] is '/' or ' ' or '?'));

    private SimulatorFault? Take(string endpoint, Func<SimulatorFaultKind, bool> kind)
    {
        var rule = _rules.FirstOrDefault(r => kind(r.Fault.Kind) && r.Remaining > 0 && Matches(r.Endpoint, endpoint));
        if (rule is null)
        {
            return null;
        }

        if (rule.Remaining != Always)
        {
            rule.Remaining--;
        }

        return rule.Fault;
    }

    private void Add(Rule rule)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rule.Remaining);
        lock (_lock)
        {
            _rules.RemoveAll(r => r.Remaining <= 0);
            _rules.Add(rule);
        }
    }

    private sealed class Rule(SimulatorFault fault, int remaining, string? endpoint)
    {
        public SimulatorFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;

        public string? Endpoint { get; } = endpoint;
    }
}
