using System.ComponentModel.DataAnnotations;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Upstream;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Defender;

/// <summary>Settings under <c>Defender</c>: where Resource Manager is and how patiently to talk to it.</summary>
public sealed class DefenderOptions : IValidatableObject
{
    public const string SectionName = "Defender";
    public const string PublicCloud = "https://management.azure.com";

    /// <summary>Resource Manager's base URI (absolute https): differs in sovereign clouds, and points at the simulator locally.</summary>
    public string Endpoint { get; set; } = PublicCloud;

    /// <summary>The token audience; the credential is asked for <c>{Audience}/.default</c>.</summary>
    public string Audience { get; set; } = PublicCloud;

    /// <summary>Retries after a throttled (429) or failed (5xx, timeout) attempt of an idempotent call; 0 turns retrying off.</summary>
    [SettingRange(0, 10, ErrorMessage = "Defender:MaxRetryAttempts must be between 0 and 10.")]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first back-off delay when Resource Manager sends no <c>Retry-After</c>; it grows exponentially, with jitter.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Defender:RetryDelay must be between 00:00:00 and 00:01:00.")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A throttled answer whose <c>Retry-After</c> asks for a longer wait than this is not retried but reported
    /// at once: a caller should not hang for as long as a throttled subscription is told to wait.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Defender:MaxRetryAfter must be between 00:00:00 and 00:10:00.")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one attempt may take before it is abandoned (and retried).</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00.010", "00:05:00", ErrorMessage = "Defender:AttemptTimeout must be between 00:00:00.010 and 00:05:00.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one call, retries and waits included, may take.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:30:00", ErrorMessage = "Defender:TotalTimeout must be at most 00:30:00.")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The refill rate assumed for a subscription's read, write or delete bucket (one request per pause once it runs low)
    /// until the remaining counts of Resource Manager's answers have shown the real one; the public buckets refill 25
    /// reads, 10 writes and 10 deletes a second.
    /// </summary>
    public TimeSpan EmptyBucketPause { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsAbsoluteHttps(Endpoint, allowPath: true))
        {
            yield return new ValidationResult(
                $"{SectionName}:Endpoint must be an absolute https URI without query or fragment (for example {PublicCloud}); got '{Endpoint}'.", [nameof(Endpoint)]);
        }

        if (!IsAbsoluteHttps(Audience, allowPath: false))
        {
            yield return new ValidationResult($"{SectionName}:Audience must be an absolute https URI (for example {PublicCloud}); got '{Audience}'.", [nameof(Audience)]);
        }

        if (TotalTimeout < AttemptTimeout)
        {
            yield return new ValidationResult(
                $"{SectionName}:TotalTimeout must be at least {SectionName}:AttemptTimeout; got {TotalTimeout} and {AttemptTimeout}.", [nameof(TotalTimeout)]);
        }
    }

    internal UpstreamResilience Resilience => new(MaxRetryAttempts, RetryDelay, MaxRetryAfter, AttemptTimeout, TotalTimeout, IsRepeatable);

    internal Uri EndpointUri => new(Endpoint.TrimEnd('/') + "/");

    internal string TokenScope => Audience.TrimEnd('/') + "/.default";

    /// <summary>Every Resource Manager call of this app (GET, PUT, DELETE) is idempotent, so each may be repeated.</summary>
    private static bool IsRepeatable(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
        || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete;

    private static bool IsAbsoluteHttps(string? value, bool allowPath) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttps
        && string.IsNullOrEmpty(uri.Query)
        && string.IsNullOrEmpty(uri.Fragment)
        && string.IsNullOrEmpty(uri.UserInfo)
        && (allowPath || uri.AbsolutePath == "/");
}

/// <summary>Stops start-up with the setting's name when a <c>Defender</c> setting is missing or malformed (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class DefenderOptionsValidation : IValidateOptions<DefenderOptions>;
