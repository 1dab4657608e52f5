using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Secrets;

/// <summary>Settings under <c>KeyVault</c>.</summary>
public sealed class KeyVaultOptions : IValidatableObject
{
    public const string SectionName = "KeyVault";

    /// <summary>The vault, for example <c>https://kv-defendersnow.vault.azure.net/</c>; absolute and https.</summary>
    [Required(ErrorMessage = "KeyVault:VaultUri is required: the https URI of the Key Vault that holds the integrations' secrets.")]
    public Uri? VaultUri { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var problem = VaultUri switch
        {
            null => null,
            { IsAbsoluteUri: false } => "KeyVault:VaultUri must be an absolute URI, for example https://my-vault.vault.azure.net/.",
            // The SDK refuses to send bearer tokens over plain HTTP; failing here says so at start-up rather than at first use.
            var uri when uri.Scheme != Uri.UriSchemeHttps => "KeyVault:VaultUri must use https.",
            var uri when !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || uri.AbsolutePath != "/" =>
                "KeyVault:VaultUri must be the vault's root, without a path, query or fragment.",
            _ => null,
        };
        if (problem is not null)
        {
            yield return new ValidationResult(problem, [nameof(VaultUri)]);
        }
    }
}

/// <summary>Stops start-up, naming the setting, when the vault URI is missing or unusable (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class KeyVaultOptionsValidation : IValidateOptions<KeyVaultOptions>;
