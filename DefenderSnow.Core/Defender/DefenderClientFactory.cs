using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace DefenderSnow.Core.Defender;

/// <inheritdoc cref="IDefenderClientFactory"/>
/// <remarks>
/// Long-lived, as the Azure SDK asks of its clients ("treat clients as singletons",
/// https://learn.microsoft.com/dotnet/azure/sdk/thread-safety#client-lifetime): one <see cref="RefitSettings"/>, and
/// with it one <c>JsonSerializerOptions</c> whose metadata cache is kept. The singleton is the factory, not the client,
/// because no singleton may keep one <see cref="HttpClient"/> (and with it one handler chain) for ever
/// (<c>UpstreamClientLifetimeTests</c>); a client is as cheap as <see cref="IHttpClientFactory.CreateClient"/>.
/// </remarks>
internal sealed class DefenderClientFactory : IDefenderClientFactory
{
    private readonly IHttpClientFactory _httpClients;
    private readonly IOptions<DefenderOptions> _options;
    private readonly ILogger<DefenderClient> _logger;
    private readonly RefitSettings _settings = new() { ContentSerializer = new SystemTextJsonContentSerializer(DefenderServiceCollectionExtensions.CreateJsonOptions()) };

    public DefenderClientFactory(IHttpClientFactory httpClients, IOptions<DefenderOptions> options, ILogger<DefenderClient> logger)
    {
        _httpClients = httpClients;
        _options = options;
        _logger = logger;
    }

    public IDefenderClient Create()
    {
        // One HttpClient for the Refit calls and the nextLinks the pager follows, so both run through the same handlers.
        var http = _httpClients.CreateClient(DefenderServiceCollectionExtensions.HttpClientName);
        var api = RestService.ForGenerated<IResourceManagerApi>(http, _settings);
        return new DefenderClient(api, new ResourceManagerLinks(http, _settings, _options.Value.EndpointUri), _logger);
    }
}
