using System.ComponentModel.DataAnnotations;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Upstream;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>Settings under <c>ServiceNow</c>.</summary>
public sealed class ServiceNowOptions : IValidatableObject
{
    public const string SectionName = "ServiceNow";

    /// <summary>
    /// Host patterns an instance URL may use: an exact host name, or <c>*.</c> followed by a domain, where
    /// <c>*</c> stands for exactly one DNS label. Empty by default, and then no instance is allowed: the deployer names
    /// its own instances, since any host allowed here is one an integration manager can send findings and credentials to
    /// (issue 26, H1; a default of <c>*.service-now.com</c> let a caller point an integration at any tenant's instance).
    /// </summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>
    /// Allows IP literals, <c>localhost</c> and private addresses as instance hosts (still HTTPS only).
    /// For tests and local runs against the simulator; never in production.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>How long one HTTP attempt may take before it is abandoned (ServiceNow itself cancels after about 60 s).</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", OptionLimits.MaxTimeSpan, MinimumIsExclusive = true, ErrorMessage = "ServiceNow:AttemptTimeout must be positive.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one call, retries and waits included, may take.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", OptionLimits.MaxTimeSpan, MinimumIsExclusive = true, ErrorMessage = "ServiceNow:TotalTimeout must be positive.")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Retries after the first attempt (429 always; 5xx and timeouts for reads and token requests only); 0 turns retrying off.</summary>
    [SettingRange(0, 10, ErrorMessage = "ServiceNow:MaxRetryAttempts must be between 0 and 10.")]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First back-off delay for 5xx and timeouts; it grows exponentially with jitter.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", OptionLimits.MaxTimeSpan, ErrorMessage = "ServiceNow:RetryBaseDelay must not be negative.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An answer whose <c>Retry-After</c> asks for a longer wait than this is not retried but reported at once.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", OptionLimits.MaxTimeSpan, ErrorMessage = "ServiceNow:MaxRetryAfter must not be negative.")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Access tokens are renewed this long before they expire (at most half their lifetime).</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", OptionLimits.MaxTimeSpan, ErrorMessage = "ServiceNow:TokenRenewalMargin must not be negative.")]
    public TimeSpan TokenRenewalMargin { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many sys_ids go into one <c>sys_id IN (…)</c> read.</summary>
    [SettingRange(1, 500, ErrorMessage = "ServiceNow:ReadChunkSize must be between 1 and 500.")]
    public int ReadChunkSize { get; set; } = 100;

    /// <summary>How many changed tickets one page of a change read returns at most.</summary>
    [SettingRange(1, 10000, ErrorMessage = "ServiceNow:PageSize must be between 1 and 10000.")]
    public int PageSize { get; set; } = 500;

    internal UpstreamResilience Resilience => new(MaxRetryAttempts, RetryBaseDelay, MaxRetryAfter, AttemptTimeout, TotalTimeout, IsRepeatable);

    /// <summary>
    /// A 5xx or a timeout may come after the work was done, so only reads and token requests are repeated; a
    /// create is left to the client, which looks the ticket up by its correlation id before sending it again.
    /// </summary>
    internal static bool IsRepeatable(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get
        || request.Method == HttpMethod.Head
        || (request.Method == HttpMethod.Post && request.RequestUri?.AbsolutePath.EndsWith("/oauth_token.do", StringComparison.Ordinal) == true);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < AllowedHosts.Length; i++)
        {
            if (!ServiceNowHostPattern.IsValid(AllowedHosts[i]))
            {
                yield return new ValidationResult(
                    $"{SectionName}:AllowedHosts:{i} '{AllowedHosts[i]}' is not a host name (optionally with ':port') or a '*.domain' pattern.",
                    [nameof(AllowedHosts)]);
            }
        }

        if (TotalTimeout < AttemptTimeout)
        {
            yield return new ValidationResult($"{SectionName}:TotalTimeout must not be shorter than {SectionName}:AttemptTimeout.", [nameof(TotalTimeout)]);
        }
    }
}

/// <summary>Names the offending setting, so a malformed configuration stops start-up with a message that says what to fix (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class ServiceNowOptionsValidation : IValidateOptions<ServiceNowOptions>;
