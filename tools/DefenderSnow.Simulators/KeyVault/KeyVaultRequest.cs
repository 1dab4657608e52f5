namespace DefenderSnow.Simulators.KeyVault;

/// <summary>One data-plane request the simulator received; never carries a body, so never a secret value.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path without the query, for example <c>/secrets/name</c>.</param>
/// <param name="HadAuthorization">Whether an <c>Authorization</c> header was sent.</param>
/// <param name="StatusCode">The status answered; 0 when the connection was dropped.</param>
public sealed record KeyVaultRequest(string Method, string Path, bool HadAuthorization, int StatusCode);
