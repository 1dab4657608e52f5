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
    private AccessToken? _current;

    public ResourceManagerTokenCache(TokenCredential credential, IOptions<DefenderOptions> options, TimeProvider timeProvider)
    {
        _credential = credential;
        _timeProvider = timeProvider;
        _context = new TokenRequestContext([options.Value.TokenScope]);
    }

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (IsFresh(_current))
        {
            return _current!.Value.Token;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (!IsFresh(_current))
            {
                _current = await _credential.GetTokenAsync(_context, cancellationToken);
            }

            return _current!.Value.Token;
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

    private bool IsFresh(AccessToken? token) =>
        token is { } t && t.ExpiresOn - RefreshMargin > _timeProvider.GetUtcNow();
}
