namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// What an integration needs to obtain its first tokens, and the ticket tables it will use (checked and read with
/// them; <c>null</c>: incident, problem and change request). <see cref="ToString"/> never shows a secret.
/// </summary>
public sealed record ServiceNowCredentials(Uri InstanceUrl, string Username, string Password, string ClientId, string ClientSecret, IReadOnlyList<string>? TicketTables = null)
{
    public override string ToString() =>
        $"ServiceNowCredentials {{ InstanceUrl = {InstanceUrl}, Username = {Username}, Password = ***, ClientId = {ClientId}, ClientSecret = *** }}";
}
