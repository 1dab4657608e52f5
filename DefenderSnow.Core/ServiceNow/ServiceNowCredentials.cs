namespace DefenderSnow.Core.ServiceNow;

/// <summary>What an integration needs to obtain its first tokens. <see cref="ToString"/> never shows a secret.</summary>
public sealed record ServiceNowCredentials(Uri InstanceUrl, string Username, string Password, string ClientId, string ClientSecret)
{
    public override string ToString() =>
        $"ServiceNowCredentials {{ InstanceUrl = {InstanceUrl}, Username = {Username}, Password = ***, ClientId = {ClientId}, ClientSecret = *** }}";
}
