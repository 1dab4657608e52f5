using System.Net;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// The instance URL comes from API callers, so it is the door to server-side request forgery: only HTTPS,
/// only hosts on the allow list, on port 443 and with plain ASCII names unless an entry names the host (and
/// port) exactly, and no IP literals or loopback names unless the setting allows them.
/// </summary>
internal sealed class ServiceNowInstancePolicy : IServiceNowInstancePolicy
{
    private readonly IOptions<ServiceNowOptions> _options;

    public ServiceNowInstancePolicy(IOptions<ServiceNowOptions> options)
    {
        _options = options;
    }

    public Uri Validate(string? instanceUrl, string field = "instanceUrl")
    {
        if (string.IsNullOrWhiteSpace(instanceUrl))
        {
            throw new ValidationException(field, "The ServiceNow instance URL is required.");
        }

        if (!Uri.TryCreate(instanceUrl.Trim(), UriKind.Absolute, out var uri))
        {
            throw new ValidationException(field, "The ServiceNow instance URL is not an absolute URL.");
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ValidationException(field, "The ServiceNow instance URL must use HTTPS.");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw new ValidationException(field, "The ServiceNow instance URL must not contain a user name or password.");
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new ValidationException(field, "The ServiceNow instance URL must be the instance root (for example https://contoso.service-now.com), without path, query or fragment.");
        }

        var options = _options.Value;
        var host = uri.IdnHost.ToLowerInvariant();
        var isAddressOrLocal = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            || IPAddress.TryParse(host.Trim('[', ']'), out _)
            || LoopbackAddress.IsLoopbackHost(host)
            || host.EndsWith(".localhost", StringComparison.Ordinal);
        if (isAddressOrLocal)
        {
            if (!options.AllowPrivateAddresses)
            {
                throw new ValidationException(field, "The ServiceNow instance URL must name a host, not an IP address or a local name.");
            }
        }
        else if (options.AllowedHosts.Length == 0)
        {
            // Not the caller's mistake but the deployment's: 422 naming the setting, so it is not retried as a typo.
            throw new UnprocessableException(field, $"No ServiceNow instance is allowed yet: the deployer names each one in the setting {ServiceNowOptions.SectionName}:AllowedHosts (README, Settings).");
        }
        else if (!options.AllowedHosts.Any(pattern => ServiceNowHostPattern.NamesExactly(pattern, host, uri.Port)))
        {
            // ServiceNow instance names are plain ASCII served on 443; anything else passes only when an
            // allow-list entry names that very host (and port), never through a wildcard.
            if (uri.Port != 443)
            {
                throw new ValidationException(field, $"The ServiceNow instance URL must use the standard HTTPS port 443, unless an allow-list entry names '{host}:{uri.Port}'.");
            }

            if (!uri.Host.All(char.IsAscii) || host.Split('.').Any(label => label.StartsWith("xn--", StringComparison.Ordinal)))
            {
                throw new ValidationException(field, $"ServiceNow instance names are plain ASCII; the internationalised host '{host}' is refused unless an allow-list entry names it exactly.");
            }

            if (!options.AllowedHosts.Any(pattern => ServiceNowHostPattern.Matches(pattern, host)))
            {
                throw new ValidationException(field, $"The host '{host}' is not an allowed ServiceNow host ({string.Join(", ", options.AllowedHosts)}).");
            }
        }

        return new Uri(uri.IsDefaultPort ? $"https://{uri.Host.ToLowerInvariant()}/" : $"https://{uri.Host.ToLowerInvariant()}:{uri.Port}/");
    }
}
