using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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
public sealed class AzureIdentityOptions : IValidatableObject
{
    public const string SectionName = "Azure";

    /// <summary>The settings naming an Azure endpoint the app's credential is offered to.</summary>
    internal static readonly IReadOnlyList<string> EndpointSettings = ["KeyVault:VaultUri", "Defender:Endpoint", "Storage:TableServiceUri"];

    [Required]
    public AzureCredentialKind Credential { get; set; } = AzureCredentialKind.Default;

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// The value of each of <see cref="EndpointSettings"/>, filled in at registration (they are other sections'
    /// settings), so the rule below needs nothing but these options.
    /// </summary>
    internal IReadOnlyDictionary<string, string?> Endpoints { get; set; } = new Dictionary<string, string?>();

    /// <summary>
    /// The simulator credential is for a machine where every Azure endpoint is local: refusing it elsewhere keeps a
    /// copied local setting from reaching a real deployment.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Credential != AzureCredentialKind.Simulator)
        {
            yield break;
        }

        var remote = Endpoints
            .Where(endpoint => endpoint.Value is { Length: > 0 } value
                && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !LoopbackAddress.IsLoopback(uri)))
            .Select(endpoint => endpoint.Key)
            .ToList();
        if (remote.Count > 0)
        {
            yield return new ValidationResult(
                $"Azure:Credential 'Simulator' is allowed only when every Azure endpoint is a loopback address; not so for {string.Join(", ", remote)}.",
                [nameof(Credential)]);
        }
    }
}

/// <summary>Checks the annotations of <see cref="AzureIdentityOptions"/> and the simulator rule at start-up (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class AzureIdentityOptionsValidation : IValidateOptions<AzureIdentityOptions>;
