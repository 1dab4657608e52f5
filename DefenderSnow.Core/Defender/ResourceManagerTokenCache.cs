using Azure.Core;
using Azure.Identity;
using DefenderSnow.Core.Errors;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Holds the current Resource Manager token from the app's one <see cref="TokenCredential"/> and asks for
/// a new one shortly before it expires, so that calls do not each go to the credential.
/// </summary>
internal sealed class ResourceManagerTokenCache : IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly TokenCredential _credential;
    private readonly TimeProvider _timeProvider;
    private readonly TokenRequestContext _context;
    private readonly SemaphoreSlim _refresh = new(1, 1);

    // A reference, published whole: AccessToken is a struct larger than a machine word, so reading it while
    // another thread writes it could see half of each. A reference is read and written atomically.
    private volatile CachedToken? _current;

    public ResourceManagerTokenCache(TokenCredential credential, IOptions<DefenderOptions> options, TimeProvider timeProvider)
    {
        _credential = credential;
        _timeProvider = timeProvider;
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
            // The exception's message names the credential that failed, never a secret; it is what an operator needs.
            throw new UpstreamUnreachableException(ResourceManagerException.SystemName, $"No access token for Resource Manager could be obtained: {e.Message}", e);
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    private bool IsFresh(CachedToken? token) =>
        token is not null && token.ExpiresOn - RefreshMargin > _timeProvider.GetUtcNow();

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresOn);
}
