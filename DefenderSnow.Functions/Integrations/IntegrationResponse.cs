using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;

namespace DefenderSnow.Functions.Integrations;

/// <summary>The integration as the contract shows it: never a secret.</summary>
public sealed record IntegrationResponse(
    string Id,
    string Name,
    ScopeResponse Scope,
    string InstanceUrl,
    string Username,
    string ClientId,
    string FieldMode,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Fields,
    string OnResourceHealthy,
    string Status,
    string? StatusDetail,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset UpdatedAt,
    string? UpdatedBy,
    DateTimeOffset? LastSyncAt,
    DateTimeOffset? WebhookRotatedAt)
{
    public static IntegrationResponse From(Integration i) => new(
        i.Id,
        i.Name,
        new ScopeResponse(ScopeTypeNames.ToJsonName(i.Scope.Type), i.Scope.Id),
        i.InstanceUrl.GetLeftPart(UriPartial.Authority),
        i.Username,
        i.ClientId,
        i.FieldMode == Core.Integrations.FieldMode.Default ? "default" : "customized",
        i.Fields.ByTable,
        i.OnResourceHealthy.ToString().ToLowerInvariant(),
        i.Status switch
        {
            IntegrationStatus.CredentialsRejected => "credentialsRejected",
            IntegrationStatus.Unreachable => "unreachable",
            IntegrationStatus.Deleting => "deleting",
            _ => "connected",
        },
        i.StatusDetail,
        i.CreatedAt,
        i.CreatedBy,
        i.UpdatedAt,
        i.UpdatedBy,
        i.LastSyncAt,
        i.WebhookSecretRotatedAt);
}

public sealed record ScopeResponse(string Type, string Id);
