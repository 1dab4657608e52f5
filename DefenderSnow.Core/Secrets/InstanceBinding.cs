using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Secrets;

/// <summary>
/// Binds an integration's ServiceNow credentials to the instance they were proven against (issue 26 M3). The instance URL
/// lives in the integration's Table Storage row, which anyone who may write that table can change; the credentials live
/// in Key Vault, which only the app's identity writes. So the binding lives in Key Vault too, as a secret of its own
/// (<see cref="IntegrationSecret.InstanceBinding"/>, value <c>{integrationId} {scheme://host[:port]}</c>), written only
/// where the credentials are proven (create, credential update), and checked before any stored credential is sent.
/// </summary>
/// <remarks>
/// Not a tag on the credential secrets: tags are listed by anyone with <c>secrets/list</c> and copied by nothing when a
/// version is written without them (Key Vault "Set Secret": tags are per version,
/// https://learn.microsoft.com/rest/api/keyvault/secrets/set-secret/set-secret), so a secret of its own is one value to
/// write and read, with the same RBAC as the credentials it binds (Key Vault Secrets Officer, the app's identity only).
/// </remarks>
public sealed partial class InstanceBinding
{
    private readonly ISecretStore _secrets;
    private readonly ILogger<InstanceBinding> _logger;

    public InstanceBinding(ISecretStore secrets, ILogger<InstanceBinding> logger)
    {
        _secrets = secrets;
        _logger = logger;
    }

    /// <summary>The value bound for <paramref name="instanceUrl"/>: the integration and the instance's scheme, host and port, lower case.</summary>
    public static string ValueFor(string integrationId, Uri instanceUrl) =>
        $"{integrationId.ToLowerInvariant()} {instanceUrl.GetLeftPart(UriPartial.Authority).ToLowerInvariant()}";

    /// <summary>Binds the integration's credentials to <paramref name="instanceUrl"/>; called only after they were proven there.</summary>
    public Task BindAsync(string integrationId, Uri instanceUrl, CancellationToken cancellationToken) =>
        _secrets.SetAsync(integrationId, IntegrationSecret.InstanceBinding, ValueFor(integrationId, instanceUrl), cancellationToken);

    /// <summary>Whether the stored binding names <paramref name="instanceUrl"/>; null when nothing is bound (credentials written before bindings).</summary>
    public async Task<bool?> IsBoundToAsync(string integrationId, Uri instanceUrl, CancellationToken cancellationToken) =>
        await _secrets.GetAsync(integrationId, IntegrationSecret.InstanceBinding, cancellationToken).ConfigureAwait(false) is { } bound
            ? string.Equals(bound, ValueFor(integrationId, instanceUrl), StringComparison.Ordinal)
            : null;

    /// <summary>Throws unless the stored credentials are bound to <paramref name="instanceUrl"/>; nothing has been sent when it throws.</summary>
    /// <exception cref="InstanceBindingException">Bound to another instance, or not bound at all.</exception>
    public async Task RequireAsync(string integrationId, Uri instanceUrl, CancellationToken cancellationToken)
    {
        var bound = await IsBoundToAsync(integrationId, instanceUrl, cancellationToken).ConfigureAwait(false);
        if (bound == true)
        {
            return;
        }

        var host = instanceUrl.GetLeftPart(UriPartial.Authority);
        LogRefused(_logger, integrationId, host, bound is null ? "no binding is stored" : "they are bound to another instance");
        throw new InstanceBindingException(bound is null
            ? $"The stored credentials of integration '{integrationId}' are bound to no instance (written before bindings existed); DefenderSnow sends them nowhere. Update the integration's password and client secret to prove and bind them."
            : $"The stored credentials of integration '{integrationId}' are bound to another ServiceNow instance than {host}, which its Table Storage row now names; DefenderSnow refused to send them. The row was changed outside the API: restore its instance URL, or delete the integration and create it again.");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused to send the credentials of integration {IntegrationId} to {InstanceHost}: {Why}")]
    private static partial void LogRefused(ILogger logger, string integrationId, string instanceHost, string why);
}
