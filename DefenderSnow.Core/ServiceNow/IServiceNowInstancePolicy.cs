namespace DefenderSnow.Core.ServiceNow;

/// <summary>Decides which ServiceNow instance URLs the app may talk to (HTTPS, host on the allow list).</summary>
public interface IServiceNowInstancePolicy
{
    /// <summary>
    /// Returns the normalised instance base URI (<c>https://host[:port]/</c>) or throws
    /// <see cref="Errors.ValidationException"/> naming <paramref name="field"/>.
    /// </summary>
    Uri Validate(string? instanceUrl, string field = "instanceUrl");
}
