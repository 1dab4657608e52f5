using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.ServiceNow;

/// <inheritdoc cref="IServiceNowClientFactory"/>
internal sealed class ServiceNowClientFactory : IServiceNowClientFactory
{
    private readonly IServiceNowInstancePolicy _policy;
    private readonly ServiceNowHttpClients _clients;
    private readonly IServiceNowTokenProvider _tokens;
    private readonly ServiceNowUserCache _users;
    private readonly IOptions<ServiceNowOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;

    public ServiceNowClientFactory(
        IServiceNowInstancePolicy policy,
        ServiceNowHttpClients clients,
        IServiceNowTokenProvider tokens,
        ServiceNowUserCache users,
        IOptions<ServiceNowOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        _timeProvider = timeProvider;
        _policy = policy;
        _clients = clients;
        _tokens = tokens;
        _users = users;
        _options = options;
        _loggerFactory = loggerFactory;
    }

    public IServiceNowClient Create(ServiceNowConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        // Checked again here, not only when the integration was saved: the allow list may have narrowed since.
        var instanceUrl = _policy.Validate(connection.InstanceUrl.OriginalString);
        var normalised = connection with { InstanceUrl = instanceUrl };
        return new ServiceNowClient(normalised, _clients.Table(instanceUrl), _tokens, _users, _options.Value, _timeProvider, _loggerFactory.CreateLogger<ServiceNowClient>());
    }
}
