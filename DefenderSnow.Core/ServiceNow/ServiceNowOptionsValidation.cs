using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>Names the offending setting, so a malformed configuration stops start-up with a message that says what to fix.</summary>
internal sealed class ServiceNowOptionsValidation : IValidateOptions<ServiceNowOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceNowOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.AllowedHosts.Length; i++)
        {
            if (!ServiceNowHostPattern.IsValid(options.AllowedHosts[i]))
            {
                failures.Add($"{ServiceNowOptions.SectionName}:AllowedHosts:{i} '{options.AllowedHosts[i]}' is not a host name (optionally with ':port') or a '*.domain' pattern.");
            }
        }

        Positive(failures, nameof(options.AttemptTimeout), options.AttemptTimeout);
        Positive(failures, nameof(options.TotalTimeout), options.TotalTimeout);
        if (options.TotalTimeout < options.AttemptTimeout)
        {
            failures.Add($"{ServiceNowOptions.SectionName}:TotalTimeout must not be shorter than {ServiceNowOptions.SectionName}:AttemptTimeout.");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{ServiceNowOptions.SectionName}:MaxRetryAttempts must be between 0 and 10.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero)
        {
            failures.Add($"{ServiceNowOptions.SectionName}:RetryBaseDelay must not be negative.");
        }

        if (options.MaxRetryAfter < TimeSpan.Zero)
        {
            failures.Add($"{ServiceNowOptions.SectionName}:MaxRetryAfter must not be negative.");
        }

        if (options.TokenRenewalMargin < TimeSpan.Zero)
        {
            failures.Add($"{ServiceNowOptions.SectionName}:TokenRenewalMargin must not be negative.");
        }

        if (options.ReadChunkSize is < 1 or > 500)
        {
            failures.Add($"{ServiceNowOptions.SectionName}:ReadChunkSize must be between 1 and 500.");
        }

        if (options.PageSize is < 1 or > 10000)
        {
            failures.Add($"{ServiceNowOptions.SectionName}:PageSize must be between 1 and 10000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{ServiceNowOptions.SectionName}:{setting} must be positive.");
        }
    }
}
