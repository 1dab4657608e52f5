using Refit;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Refit clients bound to one instance URL, built on the named <see cref="HttpClient"/> that carries the
/// loopback-aware TLS handler and the resilience pipeline.
/// </summary>
internal sealed class ServiceNowHttpClients
{
    public const string ClientName = "ServiceNow";

    private static readonly RefitSettings Settings = new();
    private readonly IHttpClientFactory _factory;

    public ServiceNowHttpClients(IHttpClientFactory factory)
    {
        _factory = factory;
    }

    public IServiceNowOAuthApi OAuth(Uri instanceUrl) => RestService.For<IServiceNowOAuthApi>(Create(instanceUrl), Settings);

    public IServiceNowTableApi Table(Uri instanceUrl) => RestService.For<IServiceNowTableApi>(Create(instanceUrl), Settings);

    private HttpClient Create(Uri instanceUrl)
    {
        var client = _factory.CreateClient(ClientName);
        client.BaseAddress = instanceUrl;
        return client;
    }
}
