using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Defender;

/// <summary>Stops start-up with the setting's name when a <c>Defender</c> setting is missing or malformed.</summary>
internal sealed class DefenderOptionsValidation : IValidateOptions<DefenderOptions>
{
    public ValidateOptionsResult Validate(string? name, DefenderOptions options)
    {
        var failures = new List<string>();
        if (!IsAbsoluteHttps(options.Endpoint, allowPath: true))
        {
            failures.Add($"{DefenderOptions.SectionName}:Endpoint must be an absolute https URI without query or fragment (for example {DefenderOptions.PublicCloud}); got '{options.Endpoint}'.");
        }

        if (!IsAbsoluteHttps(options.Audience, allowPath: false))
        {
            failures.Add($"{DefenderOptions.SectionName}:Audience must be an absolute https URI (for example {DefenderOptions.PublicCloud}); got '{options.Audience}'.");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{DefenderOptions.SectionName}:MaxRetryAttempts must be between 0 and 10; got {options.MaxRetryAttempts}.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{DefenderOptions.SectionName}:RetryDelay must be between 00:00:00 and 00:01:00; got {options.RetryDelay}.");
        }

        if (options.MaxRetryAfter < TimeSpan.Zero || options.MaxRetryAfter > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{DefenderOptions.SectionName}:MaxRetryAfter must be between 00:00:00 and 00:10:00; got {options.MaxRetryAfter}.");
        }

        if (options.AttemptTimeout < TimeSpan.FromMilliseconds(10) || options.AttemptTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{DefenderOptions.SectionName}:AttemptTimeout must be between 00:00:00.010 and 00:05:00; got {options.AttemptTimeout}.");
        }

        if (options.TotalTimeout < options.AttemptTimeout || options.TotalTimeout > TimeSpan.FromMinutes(30))
        {
            failures.Add($"{DefenderOptions.SectionName}:TotalTimeout must be at least {DefenderOptions.SectionName}:AttemptTimeout and at most 00:30:00; got {options.TotalTimeout}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsAbsoluteHttps(string? value, bool allowPath) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttps
        && string.IsNullOrEmpty(uri.Query)
        && string.IsNullOrEmpty(uri.Fragment)
        && string.IsNullOrEmpty(uri.UserInfo)
        && (allowPath || uri.AbsolutePath == "/");
}
