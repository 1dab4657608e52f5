namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// A stored integration's way into ServiceNow. Its secrets (password, client secret, refresh token) stay in
/// the secret store under <see cref="IntegrationId"/>.
/// </summary>
public sealed record ServiceNowConnection(string IntegrationId, Uri InstanceUrl, string Username, string ClientId);
