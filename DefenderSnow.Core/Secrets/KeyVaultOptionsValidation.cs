using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Secrets;

/// <summary>Stops start-up, naming the setting, when the vault URI is missing or unusable.</summary>
internal sealed class KeyVaultOptionsValidation : IValidateOptions<KeyVaultOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyVaultOptions options) => options.VaultUri switch
    {
        null => ValidateOptionsResult.Fail("KeyVault:VaultUri is required: the https URI of the Key Vault that holds the integrations' secrets."),
        { IsAbsoluteUri: false } => ValidateOptionsResult.Fail("KeyVault:VaultUri must be an absolute URI, for example https://my-vault.vault.azure.net/."),
        // The SDK refuses to send bearer tokens over plain HTTP; failing here says so at start-up rather than at first use.
        var uri when uri.Scheme != Uri.UriSchemeHttps => ValidateOptionsResult.Fail("KeyVault:VaultUri must use https."),
        var uri when !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || uri.AbsolutePath != "/" =>
            ValidateOptionsResult.Fail("KeyVault:VaultUri must be the vault's root, without a path, query or fragment."),
        _ => ValidateOptionsResult.Success,
    };
}
