using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Collects every problem of a request before anything else happens, so one answer names all the
/// fields at fault and nothing is written for an invalid request.
/// </summary>
internal sealed class IntegrationValidation
{
    public const int MaxNameLength = 128;
    public const int MaxTextLength = 256;
    public const int MaxSecretLength = 4096;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public string? Name(string? value, bool required = true) => Text("name", value, MaxNameLength, required);

    public string? Text(string field, string? value, int maxLength = MaxTextLength, bool required = true)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, "Is required.");
            }

            return null;
        }

        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            Add(field, "Must not be empty.");
        }
        else if (trimmed.Length > maxLength)
        {
            Add(field, $"Must be at most {maxLength} characters.");
        }
        else if (trimmed.Any(char.IsControl))
        {
            Add(field, "Must not contain control characters.");
        }

        return trimmed;
    }

    /// <summary>Secrets are taken as given (a leading space may be part of a password), but never empty nor with control characters.</summary>
    public string? Secret(string field, string? value, bool required = true)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, "Is required.");
            }
        }
        else if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "Must not be empty.");
        }
        else if (value.Length > MaxSecretLength)
        {
            Add(field, $"Must be at most {MaxSecretLength} characters.");
        }
        else if (value.Any(char.IsControl))
        {
            // ServiceNow would receive it form-encoded as it is; a NUL or line break in a secret is a paste mistake or an attack.
            Add(field, "Must not contain control characters.");
        }

        return value;
    }

    public FieldMode? Mode(string? value) => Choice<FieldMode>("fieldMode", value);

    public ResourceHealthyAction? OnResourceHealthy(string? value) => Choice<ResourceHealthyAction>("onResourceHealthy", value);

    public IntegrationDeletedAction? OnDelete(string? value) => Choice<IntegrationDeletedAction>("onDelete", value);

    /// <summary>The member named <paramref name="value"/> in the contract; null when left out, or when it names none (an error then).</summary>
    public T? Choice<T>(string field, string? value)
        where T : struct, Enum
    {
        if (value is null)
        {
            return null;
        }

        if (ContractNames.TryParse(value, out T parsed))
        {
            return parsed;
        }

        Add(field, $"Must be {ContractNames.Choices<T>()}.");
        return null;
    }

    public DefenderScope? Scope(IntegrationScopeRequest? scope)
    {
        if (scope is null)
        {
            Add("scope", "Is required.");
            return null;
        }

        return Capture(() => DefenderScope.Parse(scope.Type, scope.Id));
    }

    /// <summary>Runs a check that reports by throwing <see cref="ValidationException"/>, and keeps its errors.</summary>
    public T? Capture<T>(Func<T> check)
        where T : class
    {
        try
        {
            return check();
        }
        catch (ValidationException e)
        {
            foreach (var (field, messages) in e.Errors)
            {
                foreach (var message in messages)
                {
                    Add(field, message);
                }
            }

            return null;
        }
    }

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <exception cref="ValidationException">When any check failed.</exception>
    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new ValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }
}
