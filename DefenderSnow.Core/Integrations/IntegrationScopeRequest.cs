namespace DefenderSnow.Core.Integrations;

/// <summary>A scope as the API receives it, before validation.</summary>
public sealed record IntegrationScopeRequest(string? Type, string? Id);
