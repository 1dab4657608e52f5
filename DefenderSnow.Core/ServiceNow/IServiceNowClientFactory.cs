namespace DefenderSnow.Core.ServiceNow;

/// <summary>Makes the client of one integration. Cheap: call it per unit of work.</summary>
public interface IServiceNowClientFactory
{
    /// <summary>Throws <see cref="Errors.ValidationException"/> when the connection's instance URL is not allowed.</summary>
    IServiceNowClient Create(ServiceNowConnection connection);
}
