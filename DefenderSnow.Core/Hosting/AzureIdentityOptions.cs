using System.ComponentModel.DataAnnotations;

namespace DefenderSnow.Core.Hosting;

/// <summary>Which credential the app uses for Table Storage (when identity-based), Key Vault and Resource Manager.</summary>
public enum AzureCredentialKind
{
    /// <summary><c>DefaultAzureCredential</c>: managed identity in Azure, the developer's login locally.</summary>
    Default,
    /// <summary>Managed identity only (system-assigned, or user-assigned with <see cref="AzureIdentityOptions.ManagedIdentityClientId"/>).</summary>
    ManagedIdentity,
    /// <summary>Tokens the local simulators accept; allowed only when every Azure endpoint is on a loopback address.</summary>
    Simulator,
}

/// <summary>Settings under <c>Azure</c>.</summary>
public sealed class AzureIdentityOptions
{
    public const string SectionName = "Azure";

    [Required]
    public AzureCredentialKind Credential { get; set; } = AzureCredentialKind.Default;

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }
}
