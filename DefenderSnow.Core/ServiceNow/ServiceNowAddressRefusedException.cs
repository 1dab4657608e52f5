using DefenderSnow.Core.Upstream;
namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// An allowed host name resolved only to private or local addresses. Raised at connect time, so a DNS
/// answer cannot turn an allowed name into a way into the internal network.
/// </summary>
public sealed class ServiceNowAddressRefusedException : IOException, IRefusedConnection
{
    public ServiceNowAddressRefusedException(string host)
        : base($"'{host}' resolves only to private or local addresses, which ServiceNow:AllowPrivateAddresses does not allow.")
    {
    }
}
