namespace DefenderSnow.Core.ServiceNow;

/// <summary>What the token endpoint issued. <see cref="ToString"/> never shows a token.</summary>
internal sealed record ServiceNowTokenGrant(string AccessToken, string? RefreshToken, TimeSpan ExpiresIn)
{
    public override string ToString() => $"ServiceNowTokenGrant {{ AccessToken = ***, RefreshToken = {(RefreshToken is null ? "none" : "***")}, ExpiresIn = {ExpiresIn} }}";
}
