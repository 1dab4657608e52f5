using Azure.Core;
using DefenderSnow.Core.Defender;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Defender;

/// <summary>The cached Resource Manager token: renewed shortly before it expires, once however many callers ask at once.</summary>
public sealed class ResourceManagerTokenCacheTests
{
    [Test]
    public async Task A_token_is_reused_until_five_minutes_before_it_expires_then_renewed_once_for_all_concurrent_callers()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var credential = new SequenceCredential(clock);
        using var cache = new ResourceManagerTokenCache(credential, Options.Create(new DefenderOptions()), clock, NullLogger<ResourceManagerTokenCache>.Instance);

        var first = await cache.GetTokenAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(54));
        var stillFirst = await cache.GetTokenAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var renewed = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => cache.GetTokenAsync(CancellationToken.None).AsTask())));

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("token-1"));
            Assert.That(stillFirst, Is.EqualTo("token-1"));
            Assert.That(renewed, Is.All.EqualTo("token-2"));
            Assert.That(credential.Calls, Is.EqualTo(2));
        });
    }

    /// <summary>Issues "token-1", "token-2", … each valid for an hour from the clock's now.</summary>
    private sealed class SequenceCredential(TimeProvider clock) : TokenCredential
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new($"token-{Interlocked.Increment(ref _calls)}", clock.GetUtcNow().AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
