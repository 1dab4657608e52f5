namespace DefenderSnow.Core.ServiceNow;

/// <summary>Settings under <c>ServiceNow</c>.</summary>
public sealed class ServiceNowOptions
{
    public const string SectionName = "ServiceNow";

    /// <summary>Used when <see cref="AllowedHosts"/> is not configured.</summary>
    public static readonly IReadOnlyList<string> DefaultAllowedHosts = ["*.service-now.com"];

    /// <summary>
    /// Host patterns an instance URL may use: an exact host name, or <c>*.</c> followed by a domain, where
    /// <c>*</c> stands for exactly one DNS label. Not configured means <see cref="DefaultAllowedHosts"/>.
    /// </summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>
    /// Allows IP literals, <c>localhost</c> and private addresses as instance hosts (still HTTPS only).
    /// For tests and local runs against the simulator; never in production.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>How long one HTTP attempt may take before it is abandoned (ServiceNow itself cancels after about 60 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one call, retries and waits included, may take.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Retries after the first attempt (429 always; 5xx and timeouts for reads and token requests only).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First back-off delay for 5xx and timeouts; it grows exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A 429 whose <c>Retry-After</c> asks for a longer wait than this is not retried.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Access tokens are renewed this long before they expire (at most half their lifetime).</summary>
    public TimeSpan TokenRenewalMargin { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many sys_ids go into one <c>sys_id IN (…)</c> read.</summary>
    public int ReadChunkSize { get; set; } = 100;

    /// <summary>How many changed tickets one page of a change read returns at most.</summary>
    public int PageSize { get; set; } = 500;

    internal IReadOnlyList<string> EffectiveAllowedHosts => AllowedHosts.Length == 0 ? DefaultAllowedHosts : AllowedHosts;
}
