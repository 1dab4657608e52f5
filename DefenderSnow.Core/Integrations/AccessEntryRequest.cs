namespace DefenderSnow.Core.Integrations;

/// <summary>One entry of an integration's <c>access</c> list, as received.</summary>
public sealed record AccessEntryRequest(string? PrincipalId, IReadOnlyList<string?>? Roles);
