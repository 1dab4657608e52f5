using Azure.Core;
using Azure.Identity;

namespace DefenderSnow.Core.Hosting;

/// <summary>Builds the one <see cref="TokenCredential"/> every Azure client of the app shares.</summary>
internal static class CredentialFactory
{
    public static TokenCredential Create(AzureIdentityOptions options, TimeProvider timeProvider) => options.Credential switch
    {
        AzureCredentialKind.ManagedIdentity => string.IsNullOrWhiteSpace(options.ManagedIdentityClientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId)),
        AzureCredentialKind.Simulator => new SimulatorTokenCredential(timeProvider),
        _ => new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) ? null : options.ManagedIdentityClientId,
        }),
    };
}
