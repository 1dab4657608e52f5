using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Storage;

/// <summary>
/// Settings under <c>Storage</c>. Give exactly one of <see cref="TableServiceUri"/> (identity-based,
/// the production choice, with <see cref="QueueServiceUri"/>) or <see cref="ConnectionString"/> (Azurite, local
/// runs; it names both the Table and the Queue endpoint).
/// </summary>
public sealed class TableStorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    /// <summary>For example <c>https://account.table.core.windows.net</c>; reached with the app's credential.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>For example <c>https://account.queue.core.windows.net</c>; required with <see cref="TableServiceUri"/>.</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>A storage connection string, for example Azurite's <c>UseDevelopmentStorage=true</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Prepended to every table name, so several deployments (or test runs) can share an account.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{0,30}$", ErrorMessage = "Storage:TablePrefix must be a letter followed by at most 30 letters or digits.")]
    public string TablePrefix { get; set; } = string.Empty;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasUri = TableServiceUri is not null;
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        if (hasUri == hasConnectionString)
        {
            yield return new ValidationResult(
                "Set exactly one of Storage:TableServiceUri or Storage:ConnectionString.",
                [nameof(TableServiceUri), nameof(ConnectionString)]);
        }
        else if (hasUri && (!TableServiceUri!.IsAbsoluteUri || TableServiceUri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("Storage:TableServiceUri must be an absolute https URI.", [nameof(TableServiceUri)]);
        }

        if (hasUri && (QueueServiceUri is null || !QueueServiceUri.IsAbsoluteUri || QueueServiceUri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("Storage:QueueServiceUri must be an absolute https URI when Storage:TableServiceUri is set.", [nameof(QueueServiceUri)]);
        }
    }
}

/// <summary>Checks the annotations of <see cref="TableStorageOptions"/> and its one-of rule at start-up (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class TableStorageOptionsValidation : IValidateOptions<TableStorageOptions>;
