namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// Faults the simulator injects into ServiceNow API requests (never into <c>/_sim</c> control requests).
/// An <c>endpoint</c> filter is a prefix of "METHOD /path", for example <c>"POST /api/now/table"</c>
/// or <c>"GET /api/now/table/incident"</c>; <c>null</c> means every API request.
/// </summary>
public sealed class ServiceNowSimulatorFaults
{
    private readonly Lock _lock = new();
    private readonly List<Rule> _rules = [];
    private TimeSpan _latency;
    private double _serverErrorRate;
    private double _serverErrorDebt;

    internal enum Kind
    {
        Delay,
        RateLimit,
        Fail,
        FailAfterCommit,
        Unauthorized,
        CommitLate,
    }

    /// <summary>Added to every API request.</summary>
    public TimeSpan Latency
    {
        get { lock (_lock) { return _latency; } }
        set { lock (_lock) { _latency = value; } }
    }

    /// <summary>
    /// Share (0 to 1) of API requests answered 500 before any work is done. Deterministic: failures are spread
    /// evenly (0.5 fails every second request), so tests can count.
    /// </summary>
    public double ServerErrorRate
    {
        get { lock (_lock) { return _serverErrorRate; } }
        set { lock (_lock) { _serverErrorRate = Math.Clamp(value, 0, 1); _serverErrorDebt = 0; } }
    }

    /// <summary>The next <paramref name="count"/> matching requests wait <paramref name="delay"/> first.</summary>
    public void DelayNext(int count, TimeSpan delay, string? endpoint = null) => Add(new Rule(Kind.Delay, count, endpoint) { Delay = delay });

    /// <summary>The next <paramref name="count"/> matching requests get 429 with <c>Retry-After</c>.</summary>
    public void RateLimitNext(int count, int retryAfterSeconds = 1, string? endpoint = null) =>
        Add(new Rule(Kind.RateLimit, count, endpoint) { RetryAfterSeconds = retryAfterSeconds });

    /// <summary>The next <paramref name="count"/> matching requests fail with <paramref name="statusCode"/> before any work is done.</summary>
    public void FailNext(int count, int statusCode = 503, string? endpoint = null) => Add(new Rule(Kind.Fail, count, endpoint) { StatusCode = statusCode });

    /// <summary>The next <paramref name="count"/> matching requests are carried out, then answered 500: the answer is "lost".</summary>
    public void FailAfterCommitNext(int count, string? endpoint = null) => Add(new Rule(Kind.FailAfterCommit, count, endpoint));

    /// <summary>
    /// The next <paramref name="count"/> matching creates (<c>POST /api/now/table/…</c>) get no answer until the caller gives
    /// up; the record is committed after the next read of the same table was answered (see <c>SimLateCommits</c>).
    /// </summary>
    public void CommitLateNext(int count, string? endpoint = null) => Add(new Rule(Kind.CommitLate, count, endpoint));

    /// <summary>The next <paramref name="count"/> matching Table API requests get 401 whatever their token.</summary>
    public void UnauthorizedNext(int count, string? endpoint = null) => Add(new Rule(Kind.Unauthorized, count, endpoint));

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

    /// <summary>What to do before the request is handled.</summary>
    internal (TimeSpan Delay, Rule? Answer) Before(string endpoint)
    {
        lock (_lock)
        {
            var delay = _latency;
            if (Take(Kind.Delay, endpoint) is { } slow)
            {
                delay += slow.Delay;
            }

            var answer = Take(Kind.RateLimit, endpoint) ?? Take(Kind.Fail, endpoint) ?? Take(Kind.Unauthorized, endpoint);
            if (answer is null && _serverErrorRate > 0)
            {
                _serverErrorDebt += _serverErrorRate;
                if (_serverErrorDebt >= 1 - 1e-9)
                {
                    _serverErrorDebt -= 1;
                    answer = new Rule(Kind.Fail, 0, null) { StatusCode = 500 };
                }
            }

            return (delay, answer);
        }
    }

    internal bool CommitLate(string endpoint)
    {
        lock (_lock)
        {
            return endpoint.StartsWith("POST /api/now/table/", StringComparison.Ordinal) && Take(Kind.CommitLate, endpoint) is not null;
        }
    }

    internal bool FailAfterCommit(string endpoint)
    {
        lock (_lock)
        {
            return Take(Kind.FailAfterCommit, endpoint) is not null;
        }
    }

    private Rule? Take(Kind kind, string endpoint)
    {
        var rule = _rules.FirstOrDefault(r => r.Kind == kind && r.Remaining > 0 && (r.Endpoint is null || endpoint.StartsWith(r.Endpoint, StringComparison.Ordinal)));
        if (rule is not null)
        {
            rule.Remaining--;
        }

        return rule;
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

    internal sealed class Rule(Kind kind, int remaining, string? endpoint)
    {
        public Kind Kind { get; } = kind;

        public int Remaining { get; set; } = remaining;

        public string? Endpoint { get; } = endpoint;

        public TimeSpan Delay { get; init; }

        public int RetryAfterSeconds { get; init; }

        public int StatusCode { get; init; }
    }
}
