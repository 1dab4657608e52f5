using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Holds the current Resource Manager token from the app's one <see cref="TokenCredential"/> and asks for
/// a new one shortly before it expires, so that calls do not each go to the credential.
/// </summary>
internal sealed partial class ResourceManagerTokenCache : IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly TokenCredential _credential;
    private readonly TimeProvider _timeProvider;
    private readonly TokenRequestContext _context;
    private readonly ILogger<ResourceManagerTokenCache> _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);

    // A reference, published whole: AccessToken is a struct larger than a machine word, so reading it while
    // another thread writes it could see half of each. A reference is read and written atomically.
    private volatile CachedToken? _current;

    public ResourceManagerTokenCache(TokenCredential credential, IOptions<DefenderOptions> options, TimeProvider timeProvider, ILogger<ResourceManagerTokenCache> logger)
    {
        _credential = credential;
        _timeProvider = timeProvider;
        _logger = logger;
        _context = new TokenRequestContext([options.Value.TokenScope]);
    }

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (IsFresh(current))
        {
            return current!.Token;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            if (!IsFresh(current))
            {
                var token = await _credential.GetTokenAsync(_context, cancellationToken).ConfigureAwait(false);
                current = new CachedToken(token.Token, token.ExpiresOn);
                _current = current;
            }

            return current!.Token;
        }
        catch (Exception e) when (e is AuthenticationFailedException or CredentialUnavailableException)
        {
            // The app's own identity got no token: the app cannot reach Resource Manager (502), whatever the caller sent, as for
            // Key Vault (KeyVaultFailures). A 401 or 403 Resource Manager answers is a refusal (ResourceManagerException).
            // The credential's own message (which identity failed, Entra ID's AADSTS reason) is for the operator's log, not
            // for API callers, as for Key Vault; it names no secret.
            LogNoToken(_logger, e);
            throw new ResourceManagerUnreachableException("The app's Azure credential could not obtain an access token for Resource Manager; the log has its reason.", e);
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    private bool IsFresh(CachedToken? token) =>
        token is not null && token.ExpiresOn - RefreshMargin > _timeProvider.GetUtcNow();

    [LoggerMessage(Level = LogLevel.Error, Message = "The app's Azure credential could not obtain an access token for Resource Manager")]
    private static partial void LogNoToken(ILogger logger, Exception exception);

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresOn);
}
