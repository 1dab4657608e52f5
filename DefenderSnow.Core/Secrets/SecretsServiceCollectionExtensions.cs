using Azure.Security.KeyVault.Secrets;
using DefenderSnow.Core.Health;
using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Secrets;

internal static class SecretsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="SecretClient"/> (with the app's one credential), the secret store and
    /// the Key Vault health probe; <c>KeyVault:VaultUri</c> is validated when the host starts.
    /// </summary>
    public static IServiceCollection AddSecretStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<KeyVaultOptions, KeyVaultOptionsValidation>(configuration.GetSection(KeyVaultOptions.SectionName));

        services.AddAzureClients(clients => clients.AddClient<SecretClient, SecretClientOptions>((options, credential, provider) =>
        {
            var vaultUri = provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value.VaultUri!;
            var local = provider.GetRequiredService<IOptions<LocalDevelopmentOptions>>().Value;
            KeyVaultClientSetup.Configure(options, vaultUri, local.TrustLoopbackCertificates);
            return new SecretClient(vaultUri, credential, options);
        }));

        services.TryAddSingleton<ISecretStore, KeyVaultSecretStore>();
        services.TryAddSingleton<InstanceBinding>();
        services.AddSingleton<IHealthProbe, KeyVaultHealthProbe>();
        return services;
    }
}
